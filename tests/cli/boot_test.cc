// `sipl boot` on disks made at test time: components signed with SCLABs by `sipl sign`, laid
// out by `sipl mkdisk`, booted in Secure mode; QEMU's host-side refusals; the QEMU argv form.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/json_schema.h"
#include "support/test_data.h"
#include "support/run.h"

namespace sipl {
namespace {

std::string corpus_cert() { return test::corpus_cert("rsa2048.pem"); }

class BootSecureDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 30 "
       "-subj /CN=sipl-boot-test 2>/dev/null");
    sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 30 "
       "-subj /CN=sipl-other 2>/dev/null");
    sh("head -c 16384 /dev/urandom > stage3.bin && head -c 65536 /dev/urandom > vmlinuz");
  }
  void sh(const std::string& cmd) {
    auto r = test::sh("cd '" + dir.path() + "' && " + cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  }
  void sign(std::vector<std::string> extra, const std::string& file) {
    std::vector<std::string> a{"sign", "--key", dir / "key.pem", "--cert", dir / "cert.pem"};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(dir / file);
    auto r = test::run_sipl(a);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void mkdisk() {
    auto r = test::run_sipl({"mkdisk", "-o", dir / "disk.img", "--stage3", dir / "stage3.bin", "--kernel", dir / "vmlinuz"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  nlohmann::json boot(std::vector<std::string> extra, int want_exit) {
    std::vector<std::string> a{"boot", "--json", "--disk", dir / "disk.img"};
    a.insert(a.end(), extra.begin(), extra.end());
    auto r = test::run_sipl_json(a);
    EXPECT_EQ(r.run.exit_code, want_exit) << r.run.out << r.run.err;
    return r.json;
  }
  std::vector<std::string> bios_lines(const nlohmann::json& j) {
    auto c = j["console"].get<std::vector<std::string>>();
    return {c.begin() + 4, c.end()};  // after LOADPARM, blank, Using virtio-blk., Using SCSI scheme.
  }
  test::TempDir dir;
};

TEST_F(BootSecureDisk, SclabSignedStage3AndKernelBootInSecureMode) {
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000"}, "stage3.bin");
  sign({"--sclab", "plain"}, "vmlinuz");
  mkdisk();
  auto j = boot({"--boot-certs", dir / "cert.pem", "--secure-boot", "on"}, 0);
  EXPECT_EQ(j["verdict"], "boots");
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{"Verified component", "Verified component"}));
  EXPECT_EQ(j["iiei"]["value"], "0x0000");
  ASSERT_EQ(j["certificates"].size(), 1u);  // both components share the one certificate
  EXPECT_EQ(j["certificates"][0]["store_index"], 1);
  size_t verified = 0;
  for (const auto& c : j["components"]) {
    EXPECT_EQ(c["cei"], "0x00000000");
    verified += c["verified"].get<bool>();
  }
  EXPECT_EQ(verified, 2u);
  EXPECT_EQ(j["guest"]["secure"], true);  // /sys/firmware/ipl/secure = 1, as the functional test expects
  ASSERT_EQ(j["guest"]["platform_keyring"].size(), 1u);
  EXPECT_EQ(j["guest"]["platform_keyring"][0]["subject"], "CN=sipl-boot-test");
  // The wrong certificate: the SCLAB checks pass, verification stops the boot.
  j = boot({"--boot-certs", dir / "other.pem", "--secure-boot", "on"}, 1);
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{"ERROR: Could not verify component"}));
  // Audit mode with the wrong certificate: warnings, the boot goes on.
  j = boot({"--boot-certs", dir / "other.pem"}, 0);
  EXPECT_EQ(j["verdict"], "boots_with_warnings");
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{"AUDIT MODE WARNING: Could not verify component",
                                                     "AUDIT MODE WARNING: Could not verify component"}));
}

TEST_F(BootSecureDisk, SclabLoadAddressMismatchSetsCeiBit3) {
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000"}, "stage3.bin");
  sign({"--sclab", "plain", "--load-addr", "0x20000"}, "vmlinuz");  // loaded at 0x10000
  mkdisk();
  auto j = boot({"--boot-certs", dir / "cert.pem"}, 0);
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{
                               "Verified component",
                               "AUDIT MODE WARNING: Load Address does not match with component load address",
                               "Verified component"}));
  bool found = false;
  for (const auto& c : j["components"])
    if (c["address"] == "0x0000000000010000") {
      EXPECT_EQ(c["cei"], "0x10000000");
      EXPECT_EQ(c["cei_bits"][0]["bit"], 3);
      found = true;
    }
  EXPECT_TRUE(found);
}

TEST_F(BootSecureDisk, GlobalSclabPswMismatchSetsCeiBit4OnThePswEntry) {
  sign({"--sclab", "global", "--psw", "0x000800008000a002", "--load-addr", "0xa000"}, "stage3.bin");
  sign({"--sclab", "plain"}, "vmlinuz");
  mkdisk();
  auto j = boot({"--boot-certs", dir / "cert.pem"}, 0);
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{"Verified component", "Verified component",
                                                     "AUDIT MODE WARNING: Load PSW does not match with PSW in component"}));
  EXPECT_EQ(j["components"].back()["cei"], "0x08000000");
}

TEST_F(BootSecureDisk, TwoGlobalSclabsAndNucWithUnsignedComponents) {
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000", "--nuc"}, "stage3.bin");
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0x10000"}, "vmlinuz");
  mkdisk();
  auto j = boot({"--boot-certs", dir / "cert.pem"}, 0);
  // The second global SCLAB replaces the first (it has no NUC); its PSW still matches.
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{"Verified component", "AUDIT MODE WARNING: More than one global SCLAB",
                                                     "Verified component"}));
  EXPECT_EQ(j["iiei"]["value"], "0x1000");
  j = boot({"--boot-certs", dir / "cert.pem", "--secure-boot", "on"}, 1);
  EXPECT_EQ(j["halt_reason"], "More than one global SCLAB");
}

TEST_F(BootSecureDisk, NucInTheGlobalSclabForbidsTheUnsignedParameterBlocks) {
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000", "--nuc"}, "stage3.bin");
  sign({"--sclab", "plain"}, "vmlinuz");
  mkdisk();
  auto j = boot({"--boot-certs", dir / "cert.pem"}, 0);
  EXPECT_EQ(bios_lines(j).back(), "AUDIT MODE WARNING: Unsigned components are not allowed");
  EXPECT_EQ(j["iiei"]["value"], "0x0800");
}

TEST_F(BootSecureDisk, ScInTheGlobalSclabAllowsOnlyOneSignedComponent) {
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000", "--single-component"}, "stage3.bin");
  sign({"--sclab", "plain"}, "vmlinuz");
  mkdisk();
  auto j = boot({"--boot-certs", dir / "cert.pem"}, 0);
  EXPECT_EQ(bios_lines(j), (std::vector<std::string>{"Verified component", "Verified component",
                                                     "AUDIT MODE WARNING: Only one signed component is allowed"}));
  EXPECT_EQ(j["iiei"]["value"], "0x0400");
}

TEST_F(BootSecureDisk, NeedsACertificateAndSecureBootFlagsInTheIplb) {
  sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000"}, "stage3.bin");
  mkdisk();
  auto j = boot({"--secure-boot", "on"}, 1);
  EXPECT_EQ(j["mode"], "invalid");
  EXPECT_EQ(j["iplb_header_flags"], "0x60");
  EXPECT_EQ(j["console"].back(), "ERROR: Need at least one certificate for secure boot!");
  j = boot({"--boot-certs", dir / "cert.pem"}, 0);
  EXPECT_EQ(j["iplb_header_flags"], "0x20");
}

TEST(BootRefused, QemuRefusesSecureIplWithoutBootDevice) {
  auto r = test::run_sipl({"boot", "--", "qemu-system-s390x", "-machine",
                           "s390-ccw-virtio,secure-boot=on,boot-certs.0.path=" + corpus_cert(), "-cpu", "max"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "sipl: error: No boot device defined for Secure IPL\n");
  // With --json the error is also a document on stdout.
  auto j = test::run_sipl_json({"boot", "--json", "--", "qemu-system-s390x", "-machine",
                                "s390-ccw-virtio,secure-boot=on,boot-certs.0.path=" + corpus_cert(), "-cpu", "max"});
  EXPECT_EQ(j.run.exit_code, 4);
  EXPECT_EQ(j.run.err, "sipl: error: No boot device defined for Secure IPL\n");
  EXPECT_EQ(j.json["error"]["code"], "unsupported");
  EXPECT_EQ(j.json["error"]["exit_code"], 4);
  EXPECT_EQ(j.json["error"]["message"], "No boot device defined for Secure IPL");
  EXPECT_TRUE(j.json["error"]["location"].is_null());
}

TEST(BootRefused, QemuRefusesVfioCcwBootDevice) {
  auto r = test::run_sipl({"boot", "--", "qemu-system-s390x", "-machine",
                           "s390-ccw-virtio,boot-certs.0.path=" + corpus_cert(), "-device",
                           "vfio-ccw,sysfsdev=/sys/bus/mdev/devices/x,bootindex=1"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "sipl: error: Passthrough (vfio) CCW device does not support secure boot!\n");
}

TEST(BootArgv, QemuCommandLineOfTheCorpusRunAndFallbackDevice) {
  // The corpus command line, with a first boot device whose boot record points past its end
  // (disk-a cut to 12 MiB: the tables stay, the kernel's extents are gone): it fails hard, the
  // BIOS says so and boots the second one.
  test::TempDir dir;
  const std::string disk = test::corpus_disk("disk-a-unsigned");
  ASSERT_EQ(test::sh("head -c 12582912 " + disk + " > " + (dir / "blank.img")).exit_code, 0);
  auto r = test::run_sipl_json({"boot", "--json", "--", "qemu-system-s390x", "-machine",
                           "s390-ccw-virtio", "-cpu", "max", "-m", "1024", "-drive",
                           "file=" + (dir / "blank.img") + ",if=none,id=d0,format=raw", "-device",
                           "virtio-blk-ccw,drive=d0,bootindex=1", "-drive", "file=" + disk + ",if=none,id=d1,format=raw",
                           "-device", "virtio-blk-ccw,drive=d1,bootindex=2"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto& j = r.json;
  EXPECT_EQ(j["booted_device"], 1);
  ASSERT_EQ(j["boot_order"].size(), 2u);
  EXPECT_EQ(j["boot_order"][1]["image"], disk);
  EXPECT_EQ(j["console"].get<std::vector<std::string>>(),
            (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme.",
                                      "Failed to IPL from this SCSI device!",
                                      // main() runs boot_setup() (the LOADPARM line) per IPLB
                                      "LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme."}));
}

TEST(BootArgv, UsageErrors) {
  EXPECT_EQ(test::run_sipl({"boot"}).exit_code, 2);
  EXPECT_EQ(test::run_sipl({"boot", "--domain", "x.xml", "--boot-certs", "a.pem"}).exit_code, 2);
  // Option-parsing errors under --json are error documents too.
  auto j = test::run_sipl_json({"boot", "--json", "--secure-boot", "maybe", "--disk", "d.img"});
  EXPECT_EQ(j.run.exit_code, 2);
  EXPECT_EQ(j.json["error"]["code"], "usage");
  EXPECT_EQ(j.json["error"]["exit_code"], 2);
}

}  // namespace
}  // namespace sipl

namespace sipl {
namespace {

TEST(BootDomain, LibvirtDomainWithSecureBootStopsOnTheCorpusDisk) {
  test::TempDir dir;
  const std::string disk = test::corpus_disk("disk-b-secure");
  test::write_text(dir / "g.xml",
                   "<domain type='kvm'>\n  <name>g</name>\n  <memory unit='MiB'>1024</memory>\n  <os>\n"
                   "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
                   "    <firmware><feature enabled='yes' name='secure-boot'/></firmware>\n"
                   "    <boot-certs><path>" + corpus_cert() + "</path></boot-certs>\n"
                   "    <boot dev='hd'/>\n  </os>\n  <devices>\n"
                   "    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>\n"
                   "      <source file='" + disk + "'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n"
                   "  </devices>\n</domain>\n");
  auto jr = test::run_sipl_json({"boot", "--json", "--at", "2026-06-01T00:00:00Z", "--domain", dir / "g.xml"});
  const auto& r = jr.run;
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["mode"], "secure");
  EXPECT_EQ(j["console"].back(), "ERROR: Magic does not match. SCLAB does not exist");
  // The argv sipl builds from the XML carries libvirt's monitor/chardev/sandbox options; they
  // say nothing about the boot and are not listed as "ignored".
  EXPECT_EQ(r.err.find("ignored: "), std::string::npos) << r.err;
  // A user's own command line still hears what sipl did not use.
  auto argv = test::run_sipl({"boot", "--at", "2026-06-01T00:00:00Z", "--", "qemu-system-s390x", "-machine",
                              "s390-ccw-virtio", "-display", "none", "-drive",
                              "file=" + disk + ",format=raw,if=none,id=d0", "-device",
                              "virtio-blk-ccw,drive=d0,bootindex=1"});
  EXPECT_NE(argv.err.find("sipl: note: ignored: -display"), std::string::npos) << argv.err;
}

}  // namespace
}  // namespace sipl
