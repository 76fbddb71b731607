// `sipl boot` on the real Debian s390-tools stage 3 and 6.1 kernel of corpus disk-b, re-signed
// for Secure mode: stage 3 gets a global SCLAB (`sipl sign --resign --sclab global` with the
// PSW read from disk-b's EXEC entry), the kernel keeps the 32-byte SCLAB its build appended and
// is only re-signed, the initrd goes unsigned (QEMU does not support verifying an initrd).
// Expected values come from the corpus layout (disk-b-secure.layout.txt), the test-side disk
// walker (support/zipl_walk) and the spec (qemu-secure-ipl.md §5.3-5.4, §6.5), never from sipl.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/certs.h"
#include "support/json_schema.h"
#include "support/test_data.h"
#include "support/run.h"
#include "support/zipl_walk.h"

namespace sipl {
namespace {

const std::string kAt = "2026-06-01T00:00:00Z";

void write_bin(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// The appended-signature trailer of the kernel's sign-file (zipl-and-signatures.md §2.1).
std::string trailer(size_t sig_len) {
  std::string d("\x00\x00\x02\x00\x00\x00\x00\x00", 8);
  for (int i = 3; i >= 0; --i) d += static_cast<char>((sig_len >> (8 * i)) & 0xFF);
  return d + "~Module signature appended~\n";
}

class BootResignedRealKernel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    // Validity 2026-01-01 .. 2036-01-01 (Unix times), so the boot time below is fixed.
    test::CertSpec spec;
    spec.key_type = "rsa2048";
    spec.absolute = true;
    spec.not_before = 1767225600;
    spec.not_after = 2082758400;
    spec.cn = "sipl-resign-test";
    test::make_cert(spec, path("cert.pem"), path("key.pem"));
    spec.cn = "sipl-resign-other";
    test::make_cert(spec, path("other.pem"), path("other.key"));
    // disk-b's components as zipl was given them: loaded bytes + the DER of the SIGNATURE
    // entry before them (sig_len = low 32 bits of its compdat) + the sign-file trailer.
    const std::string img = test::corpus_disk("disk-b-secure");
    ASSERT_FALSE(img.empty());
    walk_ = new test::WalkedDisk(test::walk_zipl_disk(test::slurp(img), 512));
    ASSERT_EQ(walk_->error, "");
    const auto& w = walk_->programs.at(0).components;
    ASSERT_EQ(w.size(), 11u);
    auto sig = [&](size_t k) { return w[k].loaded.substr(0, w[k].compdat & 0xFFFFFFFF); };
    const uint64_t initrd_len = test::be(w[4].loaded, 0x10, 8);  // stage 3 parameters: signed initrd size
    ASSERT_EQ(initrd_len, 0xc40e3u);                              // disk-b-secure.layout.txt
    write_bin(path("stage3.bin"), w[3].loaded + sig(2) + trailer(sig(2).size()));
    write_bin(path("vmlinuz"), w[6].loaded + sig(5) + trailer(sig(5).size()));
    write_bin(path("initrd.img"), w[9].loaded.substr(0, initrd_len - sig(8).size() - 40));
  }
  static void TearDownTestSuite() {
    delete walk_;
    delete dir_;
  }
  static std::string path(const std::string& n) { return *dir_ / n; }

  static test::RunResult sign(std::vector<std::string> extra, const std::string& file) {
    std::vector<std::string> a{"sign", "--key", path("key.pem"), "--cert", path("cert.pem"), "--resign"};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(path(file));
    return test::run_sipl(a);
  }
  static nlohmann::json boot(const std::string& cert, bool secure, int want_exit) {
    std::vector<std::string> a{"boot", "--json", "--at", kAt, "--disk", path("disk.img"), "--boot-certs", cert};
    if (secure) a.insert(a.end(), {"--secure-boot", "on"});
    auto r = test::run_sipl_json(a);
    EXPECT_EQ(r.run.exit_code, want_exit) << r.run.out << r.run.err;
    return r.json;
  }

  static test::TempDir* dir_;
  static test::WalkedDisk* walk_;
};
test::TempDir* BootResignedRealKernel::dir_ = nullptr;
test::WalkedDisk* BootResignedRealKernel::walk_ = nullptr;

TEST_F(BootResignedRealKernel, BootsInSecureModeAndHaltsWithAnotherCertificate) {
  const auto& w = walk_->programs.at(0).components;
  // The load PSW of the real boot: disk-b's EXEC entry (type 1), its compdat.
  ASSERT_EQ(w[10].type, 1);
  const uint64_t psw = w[10].compdat;
  ASSERT_EQ(psw, 0x000800008000a000u);  // disk-b-secure.layout.txt, "[10] EXECUTE psw="
  char psw_hex[19];
  std::snprintf(psw_hex, sizeof psw_hex, "0x%016llx", static_cast<unsigned long long>(psw));

  // Stage 3 (zipl 2.16) has no SCLAB: add the global one. The kernel already ends in the
  // kernel build's SCLAB (…00000020 "zIPL"): sipl refuses to add a second one, so it is only
  // re-signed, its own SCLAB inside the signed data.
  const std::string kernel_tail = w[6].loaded.substr(w[6].loaded.size() - 32);
  ASSERT_EQ(kernel_tail, std::string(28, '\0').replace(26, 2, "\x00\x20", 2) + "zIPL");
  auto s = sign({"--sclab", "global", "--psw", psw_hex}, "stage3.bin");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto refused = sign({"--sclab", "plain"}, "vmlinuz");
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("already ends in a SCLAB (flags 0x0000, 32 bytes at byte 5066720)"), std::string::npos)
      << refused.err;
  s = sign({}, "vmlinuz");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  // The signed stage 3: 16384 bytes of code, zeros to 20448, the 32-byte global SCLAB
  // (flags OPSW|OLA = 0xC000, load PSW, load address = PSW & 0x7FFFFFFF), then the signature.
  const std::string stage3 = test::slurp(path("stage3.bin"));
  ASSERT_GT(stage3.size(), 20480u);
  EXPECT_EQ(stage3.substr(0, 16384), w[3].loaded);
  EXPECT_EQ(stage3.substr(16384, 4064), std::string(4064, '\0'));
  EXPECT_EQ(test::be(stage3, 20448, 8), 0x0000C00000000000u);
  EXPECT_EQ(test::be(stage3, 20456, 8), psw);
  EXPECT_EQ(test::be(stage3, 20464, 8), 0xa000u);
  EXPECT_EQ(test::be(stage3, 20472, 8), 0x000000207A49504Cu);

  auto mk = test::run_sipl({"mkdisk", "-o", path("disk.img"), "--stage3", path("stage3.bin"), "--kernel", path("vmlinuz"),
                            "--initrd", path("initrd.img"), "--parmline", "console=ttysclp0 rdinit=/init", "--secure", "1"});
  ASSERT_EQ(mk.exit_code, 0) << mk.err;
  EXPECT_EQ(mk.err, "");
  // The disk as the test-side walker reads it: what the IIRB must list.
  auto disk = test::walk_zipl_disk(test::slurp(path("disk.img")), 512);
  ASSERT_EQ(disk.error, "");
  const auto& d = disk.programs.at(0).components;
  ASSERT_EQ(d.size(), 10u);  // heap, stack, SIG, stage 3, params, SIG, kernel, parmline, initrd, EXEC
  const std::vector<int> types{2, 2, 3, 2, 2, 3, 2, 2, 2, 1};
  for (size_t k = 0; k < d.size(); ++k) EXPECT_EQ(d[k].type, types[k]) << k;
  EXPECT_EQ(d[9].compdat, psw);

  auto j = boot(path("cert.pem"), true, 0);
  EXPECT_EQ(j["mode"], "secure");
  EXPECT_EQ(j["verdict"], "boots");
  EXPECT_EQ(j["console"].get<std::vector<std::string>>(),
            (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme.",
                                      "Verified component", "Verified component"}));
  EXPECT_EQ(j["iiei"]["value"], "0x0000");
  // The IIRB component list (§5.3): every LOAD in table order, then the PSW pseudo-entry;
  // SC 0x80 | CSV 0x40 on the two signed ones, certificate list index 0, no CEI bit.
  const auto& comps = j["components"];
  ASSERT_EQ(comps.size(), 8u);
  size_t i = 0;
  for (const auto& c : d) {
    if (c.type != 2) continue;
    SCOPED_TRACE("component at " + std::to_string(c.compdat));
    const bool is_signed = i == 2 || i == 4;
    EXPECT_EQ(std::stoull(comps[i]["address"].get<std::string>(), nullptr, 16), c.compdat);
    EXPECT_EQ(comps[i]["length"].get<uint64_t>(), c.loaded.size());
    EXPECT_EQ(comps[i]["signed"], is_signed);
    EXPECT_EQ(comps[i]["verified"], is_signed);
    EXPECT_EQ(comps[i]["cei"], "0x00000000");
    ++i;
  }
  ASSERT_EQ(i, 7u);
  EXPECT_EQ(comps[2]["address"], "0x000000000000a000");
  EXPECT_EQ(comps[2]["length"], 20480);  // stage 3 + padding + SCLAB, whole 4 KiB
  EXPECT_EQ(comps[4]["address"], "0x0000000000010000");
  EXPECT_EQ(comps[4]["length"], 5066752);  // the kernel's loaded size in disk-b-secure.layout.txt
  EXPECT_EQ(comps[7]["type"], "psw");
  EXPECT_EQ(comps[7]["address"], "0x000800008000a000");
  EXPECT_EQ(comps[7]["cei"], "0x00000000");
  ASSERT_EQ(j["certificates"].size(), 1u);
  EXPECT_EQ(j["certificates"][0]["store_index"], 1);
  // The guest: /sys/firmware/ipl/secure = 1 and the certificate in the .platform keyring.
  EXPECT_EQ(j["guest"]["secure"], true);
  ASSERT_EQ(j["guest"]["platform_keyring"].size(), 1u);
  EXPECT_EQ(j["guest"]["platform_keyring"][0]["subject"], "CN=sipl-resign-test");
  auto fp = test::sh("openssl x509 -in '" + path("cert.pem") + "' -outform DER | sha256sum | cut -c1-64");
  ASSERT_EQ(fp.exit_code, 0);
  EXPECT_EQ(j["guest"]["platform_keyring"][0]["fingerprint_sha256"].get<std::string>() + "\n", fp.out);
  // The kernel's dmesg component lines, as Linux would print them from the IIRB.
  std::vector<std::string> status;
  for (const auto& c : j["guest"]["components"]) status.push_back(c["status"]);
  EXPECT_EQ(status, (std::vector<std::string>{"not signed", "not signed", "signed, verified", "not signed",
                                              "signed, verified", "not signed", "not signed", "not signed"}));

  // Audit mode (certificates only) finds nothing to warn about: a plain "boots".
  j = boot(path("cert.pem"), false, 0);
  EXPECT_EQ(j["mode"], "audit");
  EXPECT_EQ(j["verdict"], "boots");
  EXPECT_EQ(j["console"].get<std::vector<std::string>>(),
            (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme.",
                                      "Verified component", "Verified component"}));

  // Another key's certificate: the SCLAB checks pass, DIAG 0x508 finds no signer for stage 3.
  j = boot(path("other.pem"), true, 1);
  EXPECT_EQ(j["verdict"], "halts");
  EXPECT_EQ(j["halt_reason"], "Could not verify component");
  EXPECT_EQ(j["console"].get<std::vector<std::string>>(),
            (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme.",
                                      "ERROR: Could not verify component"}));
  EXPECT_TRUE(j["guest"].is_null());
}

}  // namespace
}  // namespace sipl
