// `sipl audit` against real components: certificates made by openssl at test time with
// validity ending inside and outside the horizon, disks signed and written by sipl, a
// directory of domain XMLs, libvirt's test:/// driver through the real API, and real
// processes whose command line is a qemu-system-s390x line. Expected instants come from
// openssl and GNU date, expected domain names from virsh.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/certs.h"
#include "support/json_schema.h"
#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl {
namespace {

using ::testing::HasSubstr;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string domain_xml(const std::string& name, const std::string& disk, const std::vector<std::string>& certs,
                       bool secure) {
  std::string x = "<domain type='kvm'>\n  <name>" + name + "</name>\n  <memory unit='MiB'>512</memory>\n  <os>\n" +
                  "    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>\n";
  if (secure) x += "    <firmware>\n      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n";
  if (!certs.empty()) {
    x += "    <boot-certs>\n";
    for (const auto& c : certs) x += "      <path>" + c + "</path>\n";
    x += "    </boot-certs>\n";
  }
  x += "  </os>\n  <devices>\n    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>\n"
       "      <source file='" + disk + "'/>\n      <target dev='vda' bus='virtio'/>\n      <boot order='1'/>\n"
       "    </disk>\n  </devices>\n</domain>\n";
  return x;
}

const nlohmann::json* guest(const nlohmann::json& doc, const std::string& name) {
  for (const auto& g : doc["guests"])
    if (g["name"] == name) return &g;
  ADD_FAILURE() << "no guest " << name << " in\n" << doc.dump(2);
  return nullptr;
}

std::vector<std::string> ids(const nlohmann::json& g) {
  std::vector<std::string> out;
  for (const auto& f : g["findings"]) out.push_back(f["id"]);
  return out;
}

class Audit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    const auto& d = *dir_;
    // signer: the certificate that verifies the disk, valid 30 days; later: another key's,
    // valid 200 days (never verifies).
    sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout signer.key -out signer.pem -days 30 "
       "-subj /CN=audit-signer 2>/dev/null");
    sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 200 "
       "-subj /CN=audit-other 2>/dev/null");
    sh("head -c 16384 /dev/urandom > stage3.bin && head -c 65536 /dev/urandom > vmlinuz");
    sipl({"sign", "--key", d / "signer.key", "--cert", d / "signer.pem", "--sclab", "global", "--psw",
          "0x000800008000a000", "--load-addr", "0xa000", d / "stage3.bin"});
    sipl({"sign", "--key", d / "signer.key", "--cert", d / "signer.pem", "--sclab", "plain", d / "vmlinuz"});
    sipl({"mkdisk", "-o", d / "disk.img", "--stage3", d / "stage3.bin", "--kernel", d / "vmlinuz"});
    std::filesystem::create_directories(d / "xml");
    auto put = [&](const std::string& name, const std::vector<std::string>& certs, bool secure,
                   const std::string& disk = "") {
      test::write_text(d / ("xml/" + name + ".xml"), domain_xml(name, disk.empty() ? d / "disk.img" : disk, certs, secure));
    };
    put("secure-signer", {d / "signer.pem"}, true);
    put("audit-signer", {d / "signer.pem"}, false);
    put("plain", {}, false);
    put("secure-no-certs", {}, true);
    put("secure-missing-disk", {d / "signer.pem"}, true, d / "missing.img");
    put("secure-other-then-signer", {d / "other.pem", d / "signer.pem"}, true);
    test::write_text(d / "xml/not-s390.xml",
                     "<domain type='kvm'><name>x86</name><memory>1024</memory><os><type arch='x86_64' "
                     "machine='q35'>hvm</type></os></domain>\n");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static void sh(const std::string& cmd) {
    auto r = test::sh("cd '" + dir_->path() + "' && " + cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  }
  static void sipl(const std::vector<std::string>& args) {
    auto r = test::run_sipl(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static const test::TempDir& d() { return *dir_; }
  static test::TempDir* dir_;
};
test::TempDir* Audit::dir_ = nullptr;

TEST_F(Audit, XmlDirectoryVerdictsAndTheFirstChangeInTheHorizon) {
  auto r = test::run_sipl_json({"audit", "--json", "--horizon", "90d", "--xml-dir", d() / "xml"});
  EXPECT_EQ(r.run.exit_code, 1) << r.run.err;  // secure-signer halts within 90 days
  const auto& j = r.json;
  ASSERT_EQ(j["guests"].size(), 6u) << j.dump(2);  // x86 skipped
  bool skipped = false;
  for (const auto& f : j["findings"]) skipped |= f["id"] == "audit.not_s390x";
  EXPECT_TRUE(skipped);
  const std::string expiry = test::openssl_expiry_instant(d() / "signer.pem");

  const auto* g = guest(j, "secure-signer");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ((*g)["mode"], "secure");
  EXPECT_EQ((*g)["source_kind"], "xml");
  EXPECT_EQ((*g)["source"], d() / "xml/secure-signer.xml");
  EXPECT_EQ((*g)["boot_certs_form"], "libvirt");
  EXPECT_EQ((*g)["store"]["count"], 1);
  EXPECT_EQ((*g)["verdict"], "boots");
  EXPECT_EQ((*g)["changes_at"], expiry);
  EXPECT_EQ((*g)["verdict_then"], "halts");
  EXPECT_EQ((*g)["fails_within_horizon"], true);
  EXPECT_THAT(ids(*g), ::testing::ElementsAre("audit.certificate_expires", "audit.verdict_changes"));
  EXPECT_THAT((*g)["change"].get<std::string>(),
              HasSubstr("certificate 'CN=audit-signer' (" + d() / "signer.pem" + ", store #1) expires"));

  g = guest(j, "audit-signer");  // Audit mode: the expiry turns the boot into one with warnings
  EXPECT_EQ((*g)["mode"], "audit");
  EXPECT_EQ((*g)["verdict"], "boots");
  EXPECT_EQ((*g)["changes_at"], expiry);
  EXPECT_EQ((*g)["verdict_then"], "boots_with_warnings");
  EXPECT_EQ((*g)["fails_within_horizon"], false);

  g = guest(j, "plain");
  EXPECT_EQ((*g)["mode"], "normal");
  EXPECT_EQ((*g)["verdict"], "boots");
  EXPECT_EQ((*g)["changes_at"], nullptr);
  EXPECT_EQ((*g)["store"]["count"], 0);

  g = guest(j, "secure-no-certs");
  EXPECT_EQ((*g)["verdict"], "invalid");
  EXPECT_THAT(ids(*g), ::testing::Contains("audit.secure_boot_without_certificates"));

  g = guest(j, "secure-missing-disk");
  EXPECT_EQ((*g)["verdict"], "unknown");
  EXPECT_THAT(ids(*g), ::testing::Contains("audit.disk_unreadable"));

  // The other certificate comes first in the store but never verifies; the signer still does.
  g = guest(j, "secure-other-then-signer");
  EXPECT_EQ((*g)["store"]["count"], 2);
  EXPECT_EQ((*g)["changes_at"], expiry);

  // Worst first: not booting now, unknown, stopping within the horizon, changing, booting.
  std::vector<std::string> order;
  for (const auto& x : j["guests"]) order.push_back(x["name"]);
  EXPECT_EQ(order, (std::vector<std::string>{"secure-no-certs", "secure-missing-disk", "secure-other-then-signer",
                                             "secure-signer", "audit-signer", "plain"}));
  // 6 guests, 3 distinct stores (signer, none, other+signer), one disk opened once
  // (the missing one is asked for too).
  EXPECT_EQ(j["stats"]["guests"], 6);
  EXPECT_EQ(j["stats"]["disks_opened"], 2);
}

TEST_F(Audit, HorizonShorterThanTheExpiryAndUntil) {
  auto r = test::run_sipl_json({"audit", "--json", "--horizon", "10d", d() / "xml/secure-signer.xml"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.out << r.run.err;
  ASSERT_EQ(r.json["guests"].size(), 1u);
  EXPECT_EQ(r.json["guests"][0]["changes_at"], nullptr);
  EXPECT_THAT(ids(r.json["guests"][0]), ::testing::IsEmpty());
  // --until just before and at the instant of the change (from openssl's notAfter).
  const std::string expiry = test::openssl_expiry_instant(d() / "signer.pem");
  auto before = test::sh("date -u -d \"" + expiry + " - 1 second\" +%Y-%m-%dT%H:%M:%SZ");
  r = test::run_sipl_json({"audit", "--json", "--until", trim(before.out), d() / "xml/secure-signer.xml"});
  EXPECT_EQ(r.run.exit_code, 0);
  EXPECT_EQ(r.json["guests"][0]["changes_at"], nullptr);
  r = test::run_sipl_json({"audit", "--json", "--until", expiry, d() / "xml/secure-signer.xml"});
  EXPECT_EQ(r.run.exit_code, 1);
  EXPECT_EQ(r.json["guests"][0]["changes_at"], expiry);
}

TEST_F(Audit, NotYetValidCertificateMakesTheGuestBootLater) {
  test::TempDir t;
  // Valid from 5 days on: Secure mode halts now and boots from notBefore.
  test::CertSpec spec;
  spec.key_type = "rsa2048";
  spec.cn = "audit-later";
  spec.not_before = 5 * 86400;
  spec.not_after = 60 * 86400;
  test::make_cert(spec, t / "later.pem", t / "later.key");
  auto s = test::sh("cd '" + t.path() + "' && head -c 16384 /dev/urandom > s3 && head -c 65536 /dev/urandom > k");
  ASSERT_EQ(s.exit_code, 0);
  ASSERT_EQ(test::run_sipl({"sign", "--key", t / "later.key", "--cert", t / "later.pem", "--sclab", "global", "--psw",
                            "0x000800008000a000", "--load-addr", "0xa000", t / "s3"}).exit_code, 0);
  ASSERT_EQ(test::run_sipl({"sign", "--key", t / "later.key", "--cert", t / "later.pem", "--sclab", "plain", t / "k"}).exit_code, 0);
  ASSERT_EQ(test::run_sipl({"mkdisk", "-o", t / "d.img", "--stage3", t / "s3", "--kernel", t / "k"}).exit_code, 0);
  test::write_text(t / "later.xml", domain_xml("later", t / "d.img", {t / "later.pem"}, true));
  auto r = test::run_sipl_json({"audit", "--json", "--horizon", "30d", t / "later.xml"});
  EXPECT_EQ(r.run.exit_code, 1);  // halts now
  const auto& g = r.json["guests"][0];
  EXPECT_EQ(g["verdict"], "halts");
  EXPECT_EQ(g["changes_at"], test::openssl_not_before(t / "later.pem"));
  EXPECT_EQ(g["verdict_then"], "boots");
  EXPECT_THAT(g["change"].get<std::string>(), HasSubstr("becomes valid"));
}

TEST_F(Audit, StoreOver64Certificates) {
  test::TempDir t;
  std::filesystem::create_directories(t / "certs");
  for (int i = 0; i < 65; ++i) {
    test::CertSpec spec;
    spec.cn = "c" + std::to_string(i);
    spec.serial = i + 1;
    test::make_cert(spec, t / ("certs/c" + std::to_string(i) + ".pem"));
  }
  test::write_text(t / "big.xml", domain_xml("big", d() / "disk.img", {t / "certs"}, false));
  auto r = test::run_sipl_json({"audit", "--json", t / "big.xml"});
  EXPECT_EQ(r.run.exit_code, 1);
  const auto& g = r.json["guests"][0];
  EXPECT_EQ(g["verdict"], "invalid");
  ASSERT_THAT(ids(g), ::testing::ElementsAre("audit.store_over_64"));
  EXPECT_EQ(g["findings"][0]["message"], "QEMU refuses the certificate store: Cert store exceeds maximum of 64 certificates");
}

TEST_F(Audit, UnsupportedQemuVersion) {
  auto r = test::run_sipl_json({"audit", "--json", "--qemu-version", "7.2.0", d() / "xml/secure-signer.xml",
                                d() / "xml/plain.xml"});
  EXPECT_EQ(r.run.exit_code, 1);
  const auto* g = guest(r.json, "secure-signer");
  EXPECT_EQ((*g)["verdict"], "invalid");
  EXPECT_THAT(ids(*g), ::testing::Contains("audit.unsupported_qemu"));
  EXPECT_EQ((*guest(r.json, "plain"))["verdict"], "boots");  // no certificates: 7.2 is fine
}

TEST_F(Audit, TableAndPrometheus) {
  auto r = test::run_sipl({"audit", "--horizon", "90d", "--xml-dir", d() / "xml"});
  EXPECT_EQ(r.exit_code, 1);
  const std::string expiry = test::openssl_expiry_instant(d() / "signer.pem");
  EXPECT_THAT(r.out, HasSubstr("halts at " + expiry));
  EXPECT_THAT(r.out, HasSubstr("6 guests: 3 fail now or within the horizon, 1 unknown\n"));
  EXPECT_EQ(r.err.find('\r'), std::string::npos);  // no progress bar when stderr is not a terminal

  test::TempDir t;
  r = test::run_sipl({"audit", "--format", "prometheus", "--horizon", "90d", "--at", "@1000000000", "-o", t / "sipl.prom",
                      d() / "xml/plain.xml"});
  // At 2001 the certificates are not valid yet, but plain has none: it boots.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string prom = test::read_text(t / "sipl.prom");
  const std::string labels = "guest=\"plain\",source=\"" + d() / "xml/plain.xml" + "\"";
  EXPECT_THAT(prom, HasSubstr("sipl_audit_guest_verdict{" + labels + ",mode=\"normal\",verdict=\"boots\"} 1\n"));
  EXPECT_THAT(prom, HasSubstr("sipl_audit_guest_boots{" + labels + "} 1\n"));
  EXPECT_THAT(prom, HasSubstr("sipl_audit_guest_seconds_until_change{" + labels + "} +Inf\n"));
  EXPECT_THAT(prom, HasSubstr("sipl_audit_horizon_seconds 7776000\n"));
  EXPECT_THAT(prom, HasSubstr("sipl_audit_time_seconds 1000000000\n"));

  // Seconds until the change, from openssl's notAfter.
  auto now = test::sh("date -u +%s");
  auto end = test::sh("date -u -d \"" + expiry + "\" +%s");
  const long at = std::stol(now.out);
  r = test::run_sipl({"audit", "--format", "prometheus", "--horizon", "90d", "--at", "@" + std::to_string(at),
                      d() / "xml/secure-signer.xml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("sipl_audit_guest_seconds_until_change{guest=\"secure-signer\",source=\"" +
                               d() / "xml/secure-signer.xml" + "\"} " + std::to_string(std::stol(end.out) - at) + "\n"));
}

TEST_F(Audit, UsageErrors) {
  auto r = test::run_sipl_json({"audit", "--json"});
  EXPECT_EQ(r.run.exit_code, 2);
  EXPECT_EQ(r.json["error"]["message"], "give at least one of --connect URI, --xml-dir DIR, an XML file or --processes");
  r = test::run_sipl_json({"audit", "--json", "--horizon", "90x", "--processes"});
  EXPECT_EQ(r.run.exit_code, 2);
  EXPECT_EQ(r.json["error"]["message"], "--horizon '90x' is not a duration such as 90d, 12h, 30m, 45s or 2w");
  r = test::run_sipl_json({"audit", "--json", "--horizon", "1d", "--until", "2030-01-01T00:00:00Z", "--processes"});
  EXPECT_EQ(r.run.exit_code, 2);
  // A source that cannot be read: exit 3; the table still reports the others.
  r = test::run_sipl_json({"audit", "--json", "--xml-dir", d() / "nowhere"});
  EXPECT_EQ(r.run.exit_code, 3);
  EXPECT_EQ(r.json["error"]["code"], "io");
  EXPECT_THAT(r.json["error"]["message"].get<std::string>(), HasSubstr(d() / "nowhere"));
  EXPECT_THAT(r.json["error"]["message"].get<std::string>(), HasSubstr("No such file or directory"));
  auto t = test::run_sipl({"audit", "--xml-dir", d() / "nowhere", d() / "xml/plain.xml"});
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_THAT(t.out, HasSubstr("1 guest: 0 fail now or within the horizon, 0 unknown"));
  EXPECT_THAT(t.err, HasSubstr("sipl: error: " + d() / "nowhere"));
}

}  // namespace
}  // namespace sipl
