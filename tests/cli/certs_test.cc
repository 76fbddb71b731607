// `sipl certs` end to end: JSON fields against the openssl/certtool CLIs, exit codes, messages.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include "support/json_schema.h"

#include "support/certs.h"
#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::run_sipl;
using test::TempDir;

TEST(CliCerts, JsonFieldsMatchRealTools) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  test::make_cert({.key_type = "rsa2048", .cn = "Distro signing key"}, t / "signer.pem");
  test::make_cert({.key_type = "p521", .cn = "P521"}, t / "d/p521.pem");
  test::make_cert({.key_type = "p384", .cn = "expired", .not_before = -10 * 86400, .not_after = -86400},
                  t / "d/expired.pem");
  auto jr = test::run_sipl_json({"certs", "--json", t / "signer.pem", t / "d"});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["schema_version"], 2);
  ASSERT_EQ(j["certificates"].size(), 3u);
  for (const auto& c : j["certificates"]) {
    std::string p = c["path"];
    EXPECT_EQ(c["fingerprint_sha256"], test::openssl_fingerprint_sha256(p)) << p;
    EXPECT_EQ(c["key_id"], test::certtool_key_id_sha256(p)) << p;
    EXPECT_EQ(c["subject"], test::openssl_subject(p)) << p;
    EXPECT_EQ(c["issuer"], test::openssl_subject(p)) << p;
    EXPECT_EQ(c["serial"], test::openssl_serial(p)) << p;
    EXPECT_EQ(c["der_size"], test::openssl_der_size(p)) << p;
    EXPECT_EQ(c["not_before"], test::openssl_not_before(p)) << p;
    EXPECT_EQ(c["not_after"], test::openssl_not_after(p)) << p;
    EXPECT_EQ(c["valid_at"], p.find("expired") == std::string::npos) << p;
    EXPECT_EQ(c["vce_key_type"], p.find("p521") != std::string::npos ? 1 : 0) << p;
    EXPECT_EQ(c["data_size"], 64 + (test::openssl_der_size(p) + 3) / 4 * 4) << p;
  }
  EXPECT_EQ(j["certificates"][0]["store_index"], 1);
  EXPECT_EQ(j["certificates"][2]["store_index"], 3);
  EXPECT_EQ(j["certificates"][0]["name"], "signer.pem");
  EXPECT_EQ(j["certificates"][0]["source_dir"], nullptr);
  EXPECT_EQ(j["certificates"][1]["source_dir"], t / "d");
  EXPECT_EQ(j["mode"]["secure_boot_off"], "audit");
  EXPECT_EQ(j["mode"]["secure_boot_on"], "secure");
  ASSERT_EQ(j["findings"].size(), 2u);  // no QEMU warning; the directory's order, the expired one
  EXPECT_EQ(j["findings"][0]["severity"], "info");
  EXPECT_EQ(j["findings"][0]["id"], "store.directory_order");
  EXPECT_EQ(j["findings"][0]["message"],
            "certificates 2-3 come from directory '" + (t / "d") +
                "' in its read order (as QEMU reads it, unsorted); the order can differ on another file system "
                "or after files are copied");
  EXPECT_EQ(j["findings"][1]["severity"], "warning");
  EXPECT_EQ(j["findings"][1]["id"], "store.invalid_at");
  uint64_t sum = 0, largest = 0;
  for (const auto& c : j["certificates"]) {
    sum += c["data_size"].get<uint64_t>();
    largest = std::max<uint64_t>(largest, c["data_size"].get<uint64_t>());
  }
  EXPECT_EQ(j["totals"]["count"], 3);
  EXPECT_EQ(j["totals"]["total_bytes"], sum);
  EXPECT_EQ(j["totals"]["largest_cert_size"], largest);
  EXPECT_EQ(j["totals"]["total_vcb_len"], 64 + 3 * 128 + sum);
  EXPECT_EQ(j["totals"]["max_single_vcb_len"], 64 + 128 + largest);
}

TEST(CliCerts, AtTimeDecidesValidityAndStrictTurnsItIntoTheExitCode) {
  TempDir t;
  test::make_cert({.not_before = 1800000000, .not_after = 1900000000, .absolute = true}, t / "c.pem");
  auto early = test::run_sipl_json({"certs", "--json", "--at", "@1799999999", t / "c.pem"}).run;
  ASSERT_EQ(early.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(early.out)["certificates"][0]["valid_at"], false);
  auto inside = test::run_sipl_json({"certs", "--json", "--at", "2027-06-01T00:00:00Z", t / "c.pem"}).run;
  EXPECT_EQ(nlohmann::json::parse(inside.out)["certificates"][0]["valid_at"], true);
  EXPECT_EQ(nlohmann::json::parse(inside.out)["at"], "2027-06-01T00:00:00Z");
  auto strict = run_sipl({"certs", "--strict", "--at", "@1900000001", t / "c.pem"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("sipl: warning: certificate 1 (" + (t / "c.pem") +
                            ") is not valid at 2030-03-17T17:46:41Z"),
            std::string::npos)
      << strict.err;
  auto bad = run_sipl({"certs", "--at", "tomorrow", t / "c.pem"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "sipl: error: invalid time 'tomorrow': expected a date (2026-11-30), RFC 3339 (2026-11-30T12:00:00Z) or "
            "@UNIXSECONDS\n");
}

// A key QEMU's GnuTLS cannot read (here an EC key on secp256k1; certtool cannot compute its key
// id either) enters the store but reaches the guest as an invalid VCE.
TEST(CliCerts, AKeyQemuCannotReadIsAnInvalidEntryAndStrictSaysSo) {
  TempDir t;
  test::sh(fmt::format("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp256k1 -nodes -keyout /dev/null "
                       "-subj /CN=k1 -days 30 -out {} 2>/dev/null",
                       t / "k1.pem"));
  test::make_cert({.key_type = "p256"}, t / "p256.pem");
  ASSERT_NE(test::sh("certtool --key-id --hash sha256 --infile " + (t / "k1.pem")).exit_code, 0)
      << "GnuTLS reads secp256k1 keys on this machine: the test's premise is gone";
  auto jr = test::run_sipl_json({"certs", "--json", t / "k1.pem", t / "p256.pem"});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["certificates"][0]["valid_at"], true);
  EXPECT_EQ(j["certificates"][0]["vce_valid"], false);
  EXPECT_EQ(j["certificates"][0]["key_algorithm"], "ECDSA secp256k1");
  EXPECT_EQ(j["certificates"][1]["vce_valid"], true);
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["id"], "store.key_unreadable");
  EXPECT_EQ(j["findings"][0]["message"],
            "certificate 1 (" + (t / "k1.pem") +
                "): QEMU cannot read its public key (GnuTLS does not support its EC curve secp256k1): the guest "
                "receives it marked invalid and it verifies nothing");
  auto text = run_sipl({"certs", "--strict", t / "k1.pem", t / "p256.pem"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("    key read:    NO, QEMU cannot read it: GnuTLS does not support its EC curve secp256k1 "
                          "(the guest gets an invalid entry)\n"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(run_sipl({"certs", "--strict", t / "p256.pem"}).exit_code, 0);
}

TEST(CliCerts, FatalStoreErrorsPrintQemuMessageAndExit3) {
  TempDir t;
  test::make_cert({}, t / "a.crt");
  auto r = run_sipl({"certs", t / "a.crt"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "sipl: error: Certificate file '" + (t / "a.crt") + "' must have a .pem extension\n");
}

TEST(CliCerts, WarningsGoToStderrAndJson) {
  TempDir t;
  std::filesystem::create_directory(t / "empty");
  auto jr = test::run_sipl_json({"certs", "--json", t / "empty"});
  const auto& r = jr.run;
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "sipl: warning: '" + (t / "empty") + "' directory is empty\n");
  const auto& j = jr.json;
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
  EXPECT_EQ(j["findings"][0]["message"], "'" + (t / "empty") + "' directory is empty");
  EXPECT_EQ(j["mode"]["secure_boot_off"], "normal");
  EXPECT_EQ(j["mode"]["secure_boot_on"], "invalid");
}

// Permission errors need an unprivileged user: root reads everything.
test::RunResult run_as_nobody(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", SIPL_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv);
}

TEST(CliCerts, UnreadableFileAndDirectory) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to user nobody";
  TempDir t;
  std::filesystem::permissions(t.path(), std::filesystem::perms(0755));
  test::make_cert({}, t / "locked.pem");
  std::filesystem::permissions(t / "locked.pem", std::filesystem::perms::none);
  auto r = run_as_nobody({"certs", t / "locked.pem"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: Failed to load certificate: " + (t / "locked.pem") + "\nsipl: note: " +
                       (t / "locked.pem") + ": cannot open: Permission denied\n");
  std::filesystem::create_directory(t / "closed");
  std::filesystem::permissions(t / "closed", std::filesystem::perms::owner_all);
  // With --json, the error (and its hint) is also a document on stdout.
  auto j = nlohmann::json::parse(run_as_nobody({"certs", "--json", t / "locked.pem"}).out);
  EXPECT_EQ(j["error"]["code"], "io");
  EXPECT_EQ(j["error"]["exit_code"], 3);
  EXPECT_EQ(j["error"]["message"], "Failed to load certificate: " + (t / "locked.pem"));
  EXPECT_EQ(j["error"]["hint"], (t / "locked.pem") + ": cannot open: Permission denied");
  test::expect_valid_json(j.dump(), "sipl-error");
  r = run_as_nobody({"certs", t / "closed"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: Failed to open directory '" + (t / "closed") +
                       "': Error opening directory \u201c" + (t / "closed") + "\u201d: Permission denied\n");
}

TEST(CliCerts, NonUtf8NamesDoNotBreakJson) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  test::make_cert({}, t / "d/\xff\xfe.pem");
  auto jr = test::run_sipl_json({"certs", "--json", t / "d"});  // must be valid UTF-8 JSON
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["certificates"][0]["name"], "\xef\xbf\xbd\xef\xbf\xbd.pem");
}

TEST(CliCerts, HelpShowsAnExample) {
  auto r = run_sipl({"certs", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:\n  # Show the store QEMU builds from a directory and a file, in that order\n"
                      "  sipl certs /etc/pki/s390/boot-certs ~/keys/signer.pem\n"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace sipl
