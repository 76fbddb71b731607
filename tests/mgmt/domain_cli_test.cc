// `sipl domain` end to end: libvirt's own .args files as expected output, both XML forms
// giving one command line, normalize, round trips and the exit codes.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "support/run.h"

namespace sipl {
namespace {

const std::string kData = std::string(SIPL_SOURCE_DIR) + "/tests/mgmt/data/";
const std::string kExamples = std::string(SIPL_SOURCE_DIR) + "/examples/domains/";

TEST(DomainCli, ToQemuMatchesLibvirtArgsFile) {
  auto r = test::run_sipl({"domain", "to-qemu", kData + "disk-virtio-ccw.xml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, test::read_text(kData + "disk-virtio-ccw.s390x-latest.args"));
}

TEST(DomainCli, OldQemuPutsLoadparmOnMachineAndPinsMachineVersion) {
  auto r = test::run_sipl(
      {"domain", "to-qemu", "--qemu-version", "9.1.0", kData + "machine-loadparm-s390.xml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, test::read_text(kData + "machine-loadparm-s390.s390x-9.1.0.args"));
}

TEST(DomainCli, NewQemuPutsLoadparmOnDevice) {
  auto r = test::run_sipl({"domain", "to-qemu", kData + "machine-loadparm-s390.xml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-machine s390-ccw-virtio,usb=off,dump-guest-core=off,memory-backend="
                       "s390.ram \\\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("-device '{\"driver\":\"virtio-blk-ccw\",\"devno\":\"fe.0.0000\",\"drive\":"
                       "\"libvirt-1-storage\",\"id\":\"virtio-disk0\",\"bootindex\":1,"
                       "\"loadparm\":\"2\"}' \\\n"),
            std::string::npos)
      << r.out;
}

TEST(DomainCli, SeedAndLibvirtFormsGiveTheSameCommandLine) {
  auto seed = test::run_sipl({"domain", "to-qemu", kExamples + "seed-form.xml"});
  auto lv = test::run_sipl({"domain", "to-qemu", kExamples + "libvirt-form.xml"});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  ASSERT_EQ(lv.exit_code, 0) << lv.err;
  EXPECT_EQ(seed.out, lv.out);
  EXPECT_NE(seed.out.find("\n-machine s390-ccw-virtio,usb=off,dump-guest-core=off,memory-backend="
                          "s390.ram,boot-certs.0.path=/etc/pki/s390/boot-certs,boot-certs.1.path="
                          "/home/user/certs/signing.pem,secure-boot=on \\\n"),
            std::string::npos)
      << seed.out;
}

TEST(DomainCli, NormalizeTurnsSeedFormIntoLibvirtForm) {
  auto r = test::run_sipl({"domain", "normalize", kExamples + "seed-form.xml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, test::read_text(kExamples + "libvirt-form.xml"));
}

TEST(DomainCli, NormalizeKeepsUnknownContentUntouched) {
  test::TempDir dir;
  const std::string body =
      "<!-- kept -->\n"
      "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
      "  <name>g</name>\n"
      "  <memory unit='GiB'>2</memory>\n"
      "  <os firmware='s390-ccw-bios'>\n"
      "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
      "    <boot-certs path='/a,b.pem'/>\n"
      "    <frobnicate level=\"3\">x &amp; y</frobnicate>\n"
      "    <boot-certs path='/c &apos;d&apos;'/>\n"
      "    <boot dev='hd'/>\n"
      "  </os>\n"
      "  <features><pmu state='off'/></features>\n"
      "  <qemu:commandline>\n"
      "    <qemu:arg value='-trace'/>\n"
      "  </qemu:commandline>\n"
      "</domain>\n";
  test::write_text(dir / "d.xml", body);
  auto r = test::run_sipl({"domain", "normalize", dir / "d.xml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<!-- kept -->\n"
            "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
            "  <name>g</name>\n"
            "  <memory unit='GiB'>2</memory>\n"
            "  <os>\n"
            "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
            "    <boot-certs>\n"
            "      <path>/a,b.pem</path>\n"
            "      <path>/c 'd'</path>\n"
            "    </boot-certs>\n"
            "    <frobnicate level='3'>x &amp; y</frobnicate>\n"
            "    <boot dev='hd'/>\n"
            "  </os>\n"
            "  <features><pmu state='off'/></features>\n"
            "  <qemu:commandline>\n"
            "    <qemu:arg value='-trace'/>\n"
            "  </qemu:commandline>\n"
            "</domain>\n");
}

TEST(DomainCli, CommasInCertificatePathsAreDoubled) {
  test::TempDir dir;
  std::string xml = test::read_text(kExamples + "libvirt-form.xml");
  auto at = xml.find("/etc/pki/s390/boot-certs");
  xml.replace(at, 24, "/etc/pki/a,b");
  test::write_text(dir / "d.xml", xml);
  auto r = test::run_sipl_json({"domain", "to-qemu", "--json", dir / "d.xml"}).run;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"s390-ccw-virtio,usb=off,dump-guest-core=off,memory-backend=s390.ram,"
                       "boot-certs.0.path=/etc/pki/a,,b,boot-certs.1.path=/home/user/certs/"
                       "signing.pem,secure-boot=on\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"schema_version\": 2"), std::string::npos);
}

// XML → argv → XML → argv: the second command line equals the first.
TEST(DomainCli, RoundTripThroughTheCommandLine) {
  for (const std::string& f : {kExamples + "libvirt-form.xml", kData + "disk-virtio-ccw.xml",
                              kData + "machine-loadparm-s390.xml", kExamples + "audit.xml",
                              kExamples + "plain.xml"}) {
    auto ja = test::run_sipl_json({"domain", "to-qemu", "--json", f});
    const auto& a = ja.run;
    ASSERT_EQ(a.exit_code, 0) << f << a.err;
    const auto& argv = ja.json;
    std::vector<std::string> cmd{"domain", "from-qemu", "--"};
    cmd.push_back(argv["emulator"].get<std::string>());
    for (auto& x : argv["args"]) cmd.push_back(x.get<std::string>());
    auto x = test::run_sipl(cmd);
    ASSERT_EQ(x.exit_code, 0) << f << x.err;
    test::TempDir dir;
    test::write_text(dir / "back.xml", x.out);
    auto b = test::run_sipl_json({"domain", "to-qemu", "--json", dir / "back.xml"}).run;
    ASSERT_EQ(b.exit_code, 0) << f << b.err << x.out;
    EXPECT_EQ(nlohmann::json::parse(b.out)["args"], argv["args"]) << f << "\n" << x.out;
  }
}

// libvirt's own .args file → XML → .args again, byte for byte.
TEST(DomainCli, FromQemuReadsLibvirtArgsFiles) {
  for (const char* name : {"disk-virtio-ccw.s390x-latest.args"}) {
    auto x = test::run_sipl({"domain", "from-qemu", "--args-file", kData + name});
    ASSERT_EQ(x.exit_code, 0) << x.err;
    test::TempDir dir;
    test::write_text(dir / "back.xml", x.out);
    auto a = test::run_sipl({"domain", "to-qemu", dir / "back.xml"});
    ASSERT_EQ(a.exit_code, 0) << a.err << x.out;
    EXPECT_EQ(a.out, test::read_text(kData + name)) << x.out;
  }
  auto x = test::run_sipl(
      {"domain", "from-qemu", "--args-file", kData + "machine-loadparm-s390.s390x-9.1.0.args"});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  test::TempDir dir;
  test::write_text(dir / "back.xml", x.out);
  auto a = test::run_sipl({"domain", "to-qemu", "--qemu-version", "9.1.0", dir / "back.xml"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, test::read_text(kData + "machine-loadparm-s390.s390x-9.1.0.args")) << x.out;
}

TEST(DomainCli, ArgsFileWithOpenQuoteIsExit3) {
  test::TempDir dir;
  test::write_text(dir / "bad.args", "/usr/bin/qemu-system-s390x \\\n-device '{\"driver\"\n");
  auto r = test::run_sipl({"domain", "from-qemu", "--args-file", dir / "bad.args"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "bad.args") + ": line 2: unterminated ' quote\n");
}

TEST(DomainCli, FromQemuReadsDriveKeyvalAndEscapes) {
  auto r = test::run_sipl({"domain", "from-qemu", "--", "qemu-system-s390x", "-M",
                           "s390-ccw-virtio,boot-certs.1.path=/b,boot-certs.0.path=/a,,x,"
                           "secure-boot=on",
                           "-enable-kvm", "-m", "2G", "-cpu", "gen16a,sipl=on", "-name", "web",
                           "-drive", "file=/img/d.qcow2,format=qcow2,if=none,id=d0", "-device",
                           "virtio-blk-ccw,drive=d0,devno=fe.0.0002,bootindex=1", "-nographic"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<domain type='kvm'>\n"
            "  <name>web</name>\n"
            "  <memory unit='KiB'>2097152</memory>\n"
            "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
            "  <vcpu placement='static'>1</vcpu>\n"
            "  <os>\n"
            "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n"
            "    <firmware>\n"
            "      <feature enabled='yes' name='secure-boot'/>\n"
            "    </firmware>\n"
            "    <boot-certs>\n"
            "      <path>/a,x</path>\n"
            "      <path>/b</path>\n"
            "    </boot-certs>\n"
            "  </os>\n"
            "  <cpu mode='custom' match='exact' check='none'>\n"
            "    <model fallback='forbid'>gen16a</model>\n"
            "    <feature policy='require' name='sipl'/>\n"
            "  </cpu>\n"
            "  <devices>\n"
            "    <emulator>qemu-system-s390x</emulator>\n"
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='qcow2'/>\n"
            "      <source file='/img/d.qcow2'/>\n"
            "      <target dev='vda' bus='virtio'/>\n"
            "      <boot order='1'/>\n"
            "      <address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0002'/>\n"
            "    </disk>\n"
            "    <memballoon model='none'/>\n"
            "  </devices>\n"
            "</domain>\n");
}

TEST(DomainCli, FromQemuRejectsAGapInBootCerts) {
  auto r = test::run_sipl({"domain", "from-qemu", "--", "-machine",
                           "s390-ccw-virtio,boot-certs.1.path=/b"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: argument 2: boot-certs.0.path is missing\n");
}

// Found by fuzz/qemu_argv_fuzzer (fuzz/corpus/qemu_argv/regression-non-utf8-filename.args).
TEST(DomainCli, FromQemuRejectsNonUtf8Arguments) {
  auto r = test::run_sipl({"domain", "from-qemu", "--", "-drive", "file=/d.im\x96g,if=virtio"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: argument 2 is not valid UTF-8\n");
}

// The error is a diagnostic: the id of its code, and the argument it is about as
// location.argv_index (0-based in the arguments parsed; the message counts from 1).
TEST(DomainCli, FromQemuErrorNamesTheArgumentInJson) {
  auto j = test::run_sipl_json({"domain", "from-qemu", "--json", "--", "-machine",
                                "s390-ccw-virtio,boot-certs.1.path=/b"});
  EXPECT_EQ(j.run.exit_code, 3);
  EXPECT_EQ(j.json["error"]["id"], "error.bad_input");
  EXPECT_EQ(j.json["error"]["message"], "argument 2: boot-certs.0.path is missing");
  EXPECT_EQ(j.json["error"]["location"]["argv_index"], 1);
  EXPECT_TRUE(j.json["error"]["location"]["path"].is_null());
  EXPECT_EQ(j.json["error"]["params"], nlohmann::json::object());
}

TEST(DomainCli, ValidExampleExitsZero) {
  auto r = test::run_sipl({"domain", "validate", kExamples + "libvirt-form.xml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kExamples + "libvirt-form.xml: valid (secure mode)\n");
}

TEST(DomainCli, ValidateJson) {
  auto jr = test::run_sipl_json({"domain", "validate", "--json", kExamples + "seed-form.xml"});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["schema_version"], 2);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["mode"], "secure");
  EXPECT_EQ(j["boot_certs_form"], "seed");
  EXPECT_EQ(j["findings"][0]["id"], "os.seed_firmware");
  EXPECT_EQ(j["findings"][1]["id"], "boot_certs.seed_form");
  EXPECT_EQ(j["findings"][1]["location"]["line"], 11);  // a number, where the finding is
  EXPECT_EQ(j["findings"][1]["location"]["path"], kExamples + "seed-form.xml");
  EXPECT_FALSE(j["findings"][1]["params"].contains("line"));
}

TEST(DomainCli, FromQemuJson) {
  auto j = test::run_sipl_json({"domain", "from-qemu", "--json", "--", "qemu-system-s390x", "-machine",
                                "s390-ccw-virtio,boot-certs.0.path=/etc/pki/s390", "-display", "none"});
  ASSERT_EQ(j.run.exit_code, 0) << j.run.err;
  EXPECT_EQ(j.json["ignored_options"], nlohmann::json::array({"-display"}));
  EXPECT_NE(j.json["xml"].get<std::string>().find("<path>/etc/pki/s390</path>"), std::string::npos);
  // Neither form of command line: a usage error, as a document.
  auto u = test::run_sipl_json({"domain", "from-qemu", "--json"});
  EXPECT_EQ(u.run.exit_code, 2);
  EXPECT_EQ(u.json["error"]["code"], "usage");
}

// A valid secure domain for a QEMU without the feature is an unsupported environment: exit 4
// (spec README: "4 unsupported environment (e.g. a QEMU without the feature)"), not 1.
TEST(DomainCli, ToQemuForAQemuWithoutTheFeatureIsExit4) {
  // With --json the verdict is a document too: not valid, no command line, the findings.
  auto j = test::run_sipl_json({"domain", "to-qemu", "--json", "--qemu-version", "11.1.0",
                                kExamples + "libvirt-form.xml"});
  EXPECT_EQ(j.run.exit_code, 4);
  EXPECT_EQ(j.json["valid"], false);
  EXPECT_TRUE(j.json["emulator"].is_null());
  EXPECT_TRUE(j.json["args"].empty());
  EXPECT_FALSE(j.json["findings"].empty());
  auto r = test::run_sipl({"domain", "to-qemu", "--qemu-version", "11.1.0",
                           kExamples + "libvirt-form.xml"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, kExamples +
                       "libvirt-form.xml: error: unsupported configuration: boot certificates and "
                       "secure-boot need QEMU 11.2.0 or newer; this QEMU is 11.1.0\n"
                       "sipl: error: " + kExamples +
                       "libvirt-form.xml: this QEMU cannot run the domain; no command line written\n");
  auto v = test::run_sipl({"domain", "validate", "--qemu-version", "11.1.0", kExamples + "libvirt-form.xml"});
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_EQ(v.out.substr(v.out.rfind('\n', v.out.size() - 2) + 1),
            kExamples + "libvirt-form.xml: not supported by this QEMU (secure mode)\n");
}

// When the domain itself is also wrong, it is invalid (exit 1) whatever the QEMU.
TEST(DomainCli, ToQemuRefusesAnInvalidDomainWithExit1) {
  test::TempDir dir;
  std::string xml = test::read_text(kExamples + "libvirt-form.xml");
  const auto os = xml.find("</os>");
  ASSERT_NE(os, std::string::npos);
  xml.insert(os, "<nvram>/var/lib/libvirt/nvram/g.fd</nvram>\n");
  test::write_text(dir / "g.xml", xml);
  auto r = test::run_sipl({"domain", "to-qemu", "--qemu-version", "11.1.0", dir / "g.xml"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("<nvram> is not supported on s390x"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid domain; no command line written"), std::string::npos) << r.err;
}

TEST(DomainCli, MissingFileIsExit3) {
  auto r = test::run_sipl({"domain", "validate", "/nonexistent/d.xml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.rfind("sipl: error: /nonexistent/d.xml", 0), 0u) << r.err;
}

TEST(DomainCli, BadQemuVersionIsUsageError) {
  auto r = test::run_sipl({"domain", "to-qemu", "--qemu-version", "eleven",
                           kExamples + "libvirt-form.xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "sipl: error: 'eleven' is not a QEMU version (expected MAJOR.MINOR[.MICRO])\n");
}

}  // namespace
}  // namespace sipl
