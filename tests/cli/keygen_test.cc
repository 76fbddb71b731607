// `sipl keygen`: certificates read back with `openssl x509 -text`, keys used by sign-file.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "crypto/signing_keys.h"
#include "support/json_schema.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::run_sipl;
using test::sh;

std::string x509_text(const std::string& cert) {
  auto r = sh("openssl x509 -in " + cert + " -noout -text");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(KeygenCli, RsaKeyAndCertificateWithKernelSigningExtensions) {
  test::TempDir dir;
  auto r = run_sipl({"keygen", "--key", dir / "s.key", "--cert", dir / "s.pem", "--cn", "Guest boot signing",
                     "--days", "30", "--at", "2026-01-01T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Wrote rsa2048 key " + (dir / "s.key") + " and certificate " + (dir / "s.pem") +
                       " (CN=Guest boot signing, valid 2026-01-01T00:00:00Z to 2026-01-31T00:00:00Z)\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "s.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(test::read_text(dir / "s.key").starts_with("-----BEGIN PRIVATE KEY-----\n"));

  const std::string text = x509_text(dir / "s.pem");
  for (const char* want :
       {"Version: 3 (0x2)", "Signature Algorithm: sha256WithRSAEncryption", "Issuer: CN = Guest boot signing",
        "Subject: CN = Guest boot signing", "Not Before: Jan  1 00:00:00 2026 GMT",
        "Not After : Jan 31 00:00:00 2026 GMT", "Public-Key: (2048 bit)",
        "X509v3 Basic Constraints: critical\n                CA:FALSE\n",
        "X509v3 Key Usage: \n                Digital Signature\n",
        "X509v3 Extended Key Usage: \n                Code Signing\n", "X509v3 Subject Key Identifier: ",
        "X509v3 Authority Key Identifier: "})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  EXPECT_EQ(text.find("critical", text.find("Key Usage")), std::string::npos) << "only basicConstraints is critical";

  // sign-file takes the pair, and sipl's signature with it is the same bytes.
  test::write_text(dir / "a.bin", std::string(1024, 'a'));
  test::write_text(dir / "b.bin", std::string(1024, 'a'));
  ASSERT_EQ(sh(std::string(test::kSignFile) + " sha256 " + (dir / "s.key") + " " + (dir / "s.pem") + " " +
               (dir / "a.bin"))
                .exit_code,
            0);
  ASSERT_EQ(run_sipl({"sign", "--key", dir / "s.key", "--cert", dir / "s.pem", dir / "b.bin"}).exit_code, 0);
  EXPECT_EQ(test::read_text(dir / "a.bin"), test::read_text(dir / "b.bin"));
}

TEST(KeygenCli, EcdsaKeysSignAndVerify) {
  test::TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {"p256", "ecdsa-with-SHA256"}, {"p384", "ecdsa-with-SHA384"}, {"p521", "ecdsa-with-SHA512"}};
  for (auto [type, sigalg] : cases) {
    SCOPED_TRACE(type);
    const std::string key = dir / (std::string(type) + ".key"), cert = dir / (std::string(type) + ".pem");
    auto r = run_sipl({"keygen", "--type", type, "--key", key, "--cert", cert});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(x509_text(cert).find(std::string("Signature Algorithm: ") + sigalg), std::string::npos);
    test::write_text(dir / "c.bin", std::string(4096, 'c'));
    r = run_sipl({"sign", "--key", key, "--cert", cert, "--detached", dir / "c.p7s", dir / "c.bin"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto v = sh("openssl cms -verify -binary -inform DER -in " + (dir / "c.p7s") + " -content " + (dir / "c.bin") +
                " -noverify -certfile " + cert + " -out /dev/null 2>&1");
    EXPECT_EQ(v.exit_code, 0) << v.out;
    // sign-file accepts the pair too.
    EXPECT_EQ(sh(std::string(test::kSignFile) + " -d sha256 " + key + " " + cert + " " + (dir / "c.bin")).exit_code, 0);
  }
}

TEST(KeygenCli, RefusesToOverwriteWithoutForce) {
  test::TempDir dir;
  test::write_text(dir / "s.key", "precious");
  auto r = run_sipl({"keygen", "--key", dir / "s.key", "--cert", dir / "s.pem"});
  EXPECT_EQ(r.exit_code, 3);  // issue 12: bad input, as the spec's exit codes say
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "s.key") + ": already exists; refusing to overwrite it without --force\n");
  EXPECT_EQ(test::read_text(dir / "s.key"), "precious");
  EXPECT_EQ(sh("test -e " + (dir / "s.pem")).exit_code, 1);
  // Under --json the error names its own id, so a script can tell "exists" from other failures.
  auto j = test::run_sipl_json({"keygen", "--json", "--key", dir / "s.key", "--cert", dir / "s.pem"});
  EXPECT_EQ(j.run.exit_code, 3);
  EXPECT_EQ(j.json["error"]["id"], "keygen.output_exists");
  EXPECT_EQ(j.json["error"]["code"], "bad_input");
  EXPECT_EQ(j.json["error"]["location"]["path"], dir / "s.key");
  EXPECT_EQ(test::read_text(dir / "s.key"), "precious");
  r = run_sipl({"keygen", "--key", dir / "s.key", "--cert", dir / "s.pem", "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(test::read_text(dir / "s.key"), "precious");
}

TEST(KeygenCli, DryRunWritesNothingAndJsonReports) {
  test::TempDir dir;
  auto r = test::run_sipl_json({"keygen", "--dry-run", "--json", "--type", "p384", "--at", "@0", "--days", "1",
                                "--key", dir / "s.key", "--cert", dir / "s.pem"}).run;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\n  \"schema_version\": 2,\n  \"key\": \"" + (dir / "s.key") + "\",\n  \"cert\": \"" +
                       (dir / "s.pem") +
                       "\",\n  \"key_type\": \"p384\",\n  \"common_name\": \"sipl secure IPL signing key\",\n"
                       "  \"not_before\": \"1970-01-01T00:00:00Z\",\n  \"not_after\": \"1970-01-02T00:00:00Z\",\n"
                       "  \"dry_run\": true,\n  \"token\": null,\n  \"findings\": []\n}\n");
  EXPECT_EQ(sh("ls -A " + dir.path()).out, "");
}

TEST(KeygenCli, UsageErrors) {
  test::TempDir dir;
  auto r = run_sipl({"keygen", "--type", "rsa1024", "--key", dir / "k", "--cert", dir / "c.pem"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --type: rsa1024 not in {rsa2048,rsa4096,p256,p384,p521}\nsipl: note: see sipl keygen --help\n");
  r = run_sipl({"keygen", "--key", dir / "same.pem", "--cert", dir / "same.pem"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --key and --cert must be different files\n");
  r = run_sipl({"keygen", "--key", dir / "k", "--cert", dir / "c.pem", "--at", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_sipl({"keygen", "--key", dir / "k"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(sh("ls -A " + dir.path()).out, "");
}

TEST(KeygenCli, WarnsWhenQemuWouldNotLoadTheCertificateName) {
  test::TempDir dir;
  auto r = run_sipl({"keygen", "--type", "p256", "--key", dir / "k.key", "--cert", dir / "c.crt"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "sipl: warning: " + (dir / "c.crt") +
                       ": QEMU's boot-certs only loads certificate files whose name ends in .pem\n");
}

}  // namespace
}  // namespace sipl
