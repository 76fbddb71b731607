// Every way reaching a key on a token can fail, each with its one-line message naming the URI
// (never its PIN) and its exit status: 3 for the token's answers, 4 where the host lacks
// PKCS#11 support, 2 for a URI that cannot be meant.
#include <gtest/gtest.h>

#include "crypto/signing_keys.h"
#include "support/json_schema.h"
#include "support/run.h"
#include "support/softhsm.h"

namespace sipl {
namespace {

using test::run_sipl;

class SignPkcs11Errors : public ::testing::Test {
 protected:
  const test::KeyPair& kp = test::openssl_key("rsa:2048");
  test::SoftHsmToken token;
  test::TempDir dir;
  const std::string m = test::kSoftHsmModule;

  void SetUp() override {
    token.import_key(kp.key, "signkey", "01", kp.cert);
    test::write_text(dir / "c", std::string(512, 'x'));
  }
  // Runs `sipl sign --key KEY --cert CERT` with KBUILD_SIGN_PIN unset and no terminal.
  test::RunResult sign(const std::string& key, const std::string& cert = "") {
    return test::run({"env", "-u", "KBUILD_SIGN_PIN", SIPL_BIN, "sign", "--key", key, "--cert",
                      cert.empty() ? kp.cert : cert, "-o", dir / "out", dir / "c"});
  }
  void expect_failure(const test::RunResult& r, int code, const std::string& message) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_EQ(r.err, "sipl: error: " + message + "\n");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.find("1234"), std::string::npos);  // the PIN is never shown
    EXPECT_EQ(r.err.find("9999"), std::string::npos);
    EXPECT_NE(test::sh("test -e " + dir / "out").exit_code, 0);
  }
};

TEST_F(SignPkcs11Errors, NoSuchToken) {
  expect_failure(sign("pkcs11:token=foo;object=bar?pin-value=1234&module-path=" + m), 3,
                 "pkcs11:token=foo;object=bar?module-path=" + m + ": no PKCS#11 token matches token=foo (tokens in " +
                     m + ": 'sipl-test')");
}

TEST_F(SignPkcs11Errors, ObjectNotFound) {
  expect_failure(sign("pkcs11:token=sipl-test;object=bar;pin-value=1234?module-path=" + m), 3,
                 "pkcs11:token=sipl-test;object=bar?module-path=" + m +
                     ": no private key matches object=bar on token 'sipl-test'");
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + m,
                      "pkcs11:token=sipl-test;object=nocert?module-path=" + m),
                 3,
                 "pkcs11:token=sipl-test;object=nocert?module-path=" + m +
                     ": no certificate matches object=nocert on token 'sipl-test'");
}

TEST_F(SignPkcs11Errors, WrongPin) {
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey?pin-value=9999&module-path=" + m), 3,
                 "pkcs11:token=sipl-test;object=signkey?module-path=" + m +
                     ": token 'sipl-test' rejected the PIN (CKR_PIN_INCORRECT)");
  // Under --json the error names its own id (scripts ask for the PIN again on it), never the PIN.
  auto j = test::run_sipl_json({"sign", "--json", "--key",
                                "pkcs11:token=sipl-test;object=signkey?pin-value=9999&module-path=" + m, "--cert",
                                kp.cert, "-o", dir / "out", dir / "c"});
  EXPECT_EQ(j.run.exit_code, 3);
  EXPECT_EQ(j.json["error"]["id"], "pkcs11.pin_incorrect");
  EXPECT_EQ(j.run.out.find("9999"), std::string::npos);
  // KBUILD_SIGN_PIN is used when the URI has no PIN, and is never shown either.
  auto r = test::run({"env", "KBUILD_SIGN_PIN=9999", SIPL_BIN, "sign", "--key",
                      "pkcs11:token=sipl-test;object=signkey?module-path=" + m, "--cert", kp.cert, dir / "c"});
  expect_failure(r, 3,
                 "pkcs11:token=sipl-test;object=signkey?module-path=" + m +
                     ": token 'sipl-test' rejected the PIN (CKR_PIN_INCORRECT)");
}

TEST_F(SignPkcs11Errors, LockedToken) {
  const std::string locked = SIPL_TEST_LOCKED_P11_MODULE;
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + locked), 3,
                 "pkcs11:token=sipl-test;object=signkey?module-path=" + locked +
                     ": the user PIN of token 'sipl-test' is locked (CKF_USER_PIN_LOCKED); the security officer can "
                     "unlock it");
  auto j = test::run_sipl_json({"sign", "--json", "--key",
                                "pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + locked, "--cert",
                                kp.cert, "-o", dir / "out", dir / "c"});
  EXPECT_EQ(j.run.exit_code, 3);
  EXPECT_EQ(j.json["error"]["id"], "pkcs11.pin_locked");
}

TEST_F(SignPkcs11Errors, NoPinAndNoTerminal) {
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey?module-path=" + m), 3,
                 "pkcs11:token=sipl-test;object=signkey?module-path=" + m +
                     ": token 'sipl-test' needs a PIN: give pin-value or pin-source in the URI, set KBUILD_SIGN_PIN, "
                     "or run sipl on a terminal to be asked");
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey?pin-source=" + dir / "nopin" + "&module-path=" + m), 3,
                 "pkcs11:token=sipl-test;object=signkey?pin-source=" + dir / "nopin" + "&module-path=" + m +
                     ": cannot read the PIN from pin-source " + dir / "nopin" +
                     ": cannot open: No such file or directory");
}

TEST_F(SignPkcs11Errors, ModuleMissingIsAnUnsupportedHost) {
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=/nonexistent/libp11mod.so"), 4,
                 "pkcs11:token=sipl-test;object=signkey?module-path=/nonexistent/libp11mod.so: cannot load the "
                 "PKCS#11 module /nonexistent/libp11mod.so: /nonexistent/libp11mod.so: cannot open shared object "
                 "file: No such file or directory");
}

TEST_F(SignPkcs11Errors, OpensslWithoutPkcs11SupportIsAnUnsupportedHost) {
  // No engine and no provider where OpenSSL looks for them: a host without libengine-pkcs11-openssl.
  auto r = test::run({"env", "OPENSSL_ENGINES=" + dir.path(), "OPENSSL_MODULES=" + dir.path(), SIPL_BIN, "sign",
                      "--key", "pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + m, "--cert",
                      kp.cert, "-o", dir / "out", dir / "c"});
  expect_failure(r, 4,
                 "pkcs11:token=sipl-test;object=signkey?module-path=" + m +
                     ": OpenSSL has no PKCS#11 support: neither the pkcs11 provider nor the pkcs11 engine loads "
                     "(Debian 12: apt-get install libengine-pkcs11-openssl)");
}

TEST_F(SignPkcs11Errors, APkcs11ProviderIsPreferredToTheEngine) {
  // A provider named pkcs11 that loads but offers no store: sipl uses it, not the engine that
  // would have worked, and says which one failed.
  auto r = test::run({"env", std::string("OPENSSL_MODULES=") + SIPL_TEST_FAKE_PROVIDER_DIR, SIPL_BIN, "sign", "--key",
                      "pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + m, "--cert", kp.cert,
                      "-o", dir / "out", dir / "c"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.err.starts_with("sipl: error: pkcs11:token=sipl-test;object=signkey?module-path=" + m +
                                ": the pkcs11 provider cannot open the URI: "))
      << r.err;
  EXPECT_EQ(r.err.find("1234"), std::string::npos);
}

TEST_F(SignPkcs11Errors, UrisThatCannotBeMeant) {
  const std::pair<std::string, std::string> cases[] = {
      {"pkcs11:token=sipl-test;object",
       "pkcs11:token=sipl-test;object: not a usable PKCS#11 URI (RFC 7512): "
       "'object' is not name=value"},
      {"pkcs11:token=a;token=b", "pkcs11:token=a;token=b: not a usable PKCS#11 URI (RFC 7512): token is given twice"},
      {"pkcs11:tokn=a", "pkcs11:tokn=a: not a usable PKCS#11 URI (RFC 7512): unknown path attribute 'tokn'"},
      {"pkcs11:object=a%zz",
       "pkcs11:object=a%zz: not a usable PKCS#11 URI (RFC 7512): the value of object has a bad "
       "percent escape"},
      {"pkcs11:object=a?module-name=softhsm2&pin-value=1234",
       "pkcs11:object=a?module-name=softhsm2: not a usable PKCS#11 URI (RFC 7512): module-name is not supported; name "
       "the module's file with module-path="},
  };
  for (const auto& [uri, message] : cases) expect_failure(sign(uri), 2, message);
  expect_failure(sign("pkcs11:token=sipl-test;object=signkey;type=cert?pin-value=1234&module-path=" + m), 2,
                 "pkcs11:token=sipl-test;object=signkey;type=cert?module-path=" + m +
                     ": type=cert names no private key (use type=private or leave type out)");
}

TEST_F(SignPkcs11Errors, KeygenRefusesAnExistingKeyAndNeedsALabel) {
  auto r = run_sipl({"keygen", "--pkcs11", "pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + m,
                     "--cert", dir / "k.pem"});
  expect_failure(r, 3,
                 "pkcs11:token=sipl-test;object=signkey?module-path=" + m +
                     ": token 'sipl-test' already holds a private key with object=signkey; refusing to make another "
                     "(choose another object=, or delete the old key with pkcs11-tool --delete-object)");
  auto j = test::run_sipl_json({"keygen", "--json", "--pkcs11",
                                "pkcs11:token=sipl-test;object=signkey?pin-value=1234&module-path=" + m, "--cert",
                                dir / "k.pem"});
  EXPECT_EQ(j.run.exit_code, 3);
  EXPECT_EQ(j.json["error"]["id"], "keygen.output_exists");  // as for a --key file that exists
  r = run_sipl(
      {"keygen", "--pkcs11", "pkcs11:token=sipl-test?pin-value=1234&module-path=" + m, "--cert", dir / "k.pem"});
  expect_failure(r, 2,
                 "pkcs11:token=sipl-test?module-path=" + m +
                     ": the URI needs object=LABEL: the label the new key pair gets on the token");
  r = run_sipl(
      {"keygen", "--pkcs11", "pkcs11:token=sipl-test;object=x", "--key", dir / "k.key", "--cert", dir / "k.pem"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --key excludes --pkcs11\nsipl: note: see sipl keygen --help\n");
  r = run_sipl({"keygen", "--cert", dir / "k.pem"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: give either --key FILE or --pkcs11 URI\n");
}

}  // namespace
}  // namespace sipl
