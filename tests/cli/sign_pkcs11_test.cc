// `sipl sign --key pkcs11:...` with a real token (SoftHSM2 in a temporary directory): the key
// imported from a PEM file gives the bytes the kernel's sign-file gives with that PEM file,
// and the PKCS#7 `openssl cms` gives through libp11's pkcs11 engine with the same URI.
#include <gtest/gtest.h>

#include "crypto/signing_keys.h"
#include "support/json_schema.h"
#include "support/run.h"
#include "support/softhsm.h"

namespace sipl {
namespace {

using test::run_sipl;
using test::sh;

class SignPkcs11 : public ::testing::Test {
 protected:
  const test::KeyPair& kp = test::openssl_key("rsa:2048");
  test::SoftHsmToken token;
  test::TempDir dir;

  void SetUp() override { token.import_key(kp.key, "signkey", "01", kp.cert); }
  // `openssl cms` as sign-file calls CMS_sign, through the pkcs11 engine, with the URI.
  std::string engine_cms(const std::string& uri, const std::string& file, const std::string& digest, bool key_id) {
    auto r = sh(std::string("PKCS11_MODULE_PATH=") + test::kSoftHsmModule +
                " openssl cms -sign -binary -noattr -nocerts -nosmimecap -outform DER -md " + digest +
                (key_id ? " -keyid" : "") + " -engine pkcs11 -keyform engine -inkey '" + uri + "' -signer " + kp.cert +
                " -in " + file + " -out " + file + ".engine.p7s 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return test::read_text(file + ".engine.p7s");
  }
};

TEST_F(SignPkcs11, RsaOnTheTokenEqualsSignFileWithThePemKey) {
  const std::string key_uri = token.uri("signkey", ";type=private", "&pin-value=1234");
  for (const char* digest : {"sha256", "sha512"}) {
    for (bool key_id : {false, true}) {
      SCOPED_TRACE(std::string(digest) + (key_id ? " key id" : ""));
      test::write_text(dir / "ours", std::string(3072, 'k'));
      test::write_text(dir / "theirs", std::string(3072, 'k'));
      std::vector<std::string> args{"sign", "--key", key_uri, "--cert", kp.cert, "--digest", digest};
      if (key_id) args.push_back("--key-id");
      args.push_back(dir / "ours");
      auto r = run_sipl(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.err, "");
      auto s = sh(std::string(test::kSignFile) + (key_id ? " -k " : " ") + digest + " " + kp.key + " " + kp.cert + " " +
                  dir / "theirs");
      ASSERT_EQ(s.exit_code, 0) << s.err;
      EXPECT_EQ(test::read_text(dir / "ours"), test::read_text(dir / "theirs"));
    }
  }
}

TEST_F(SignPkcs11, SignatureEqualsOpensslCmsThroughTheEngine) {
  test::write_text(dir / "c", std::string(2048, 'e'));
  for (bool key_id : {false, true}) {
    SCOPED_TRACE(key_id);
    std::vector<std::string> args{"sign",   "--key",      token.uri("signkey", "", "&pin-value=1234"),
                                  "--cert", kp.cert,      "--digest",
                                  "sha512", "--detached", dir / "ours.p7s"};
    if (key_id) args.push_back("--key-id");
    args.push_back(dir / "c");
    auto r = run_sipl(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string engine =
        engine_cms("pkcs11:token=sipl-test;object=signkey;type=private;pin-value=1234", dir / "c", "sha512", key_id);
    EXPECT_FALSE(engine.empty());
    EXPECT_EQ(test::read_text(dir / "ours.p7s"), engine);
  }
}

TEST_F(SignPkcs11, CertificateFromTheTokenAndPinFromEachSource) {
  test::write_text(dir / "ref", std::string(1024, 'p'));
  ASSERT_EQ(sh(std::string(test::kSignFile) + " sha256 " + kp.key + " " + kp.cert + " " + dir / "ref").exit_code, 0);
  const std::string expected = test::read_text(dir / "ref");
  test::write_text(dir / "pin", "1234\n");
  const std::string cert_uri = token.uri("signkey", ";type=cert");
  const std::pair<std::string, std::string> cases[] = {
      {token.uri("signkey", "", "&pin-source=file:" + dir / "pin"), ""},
      {token.uri("signkey", "", "&pin-source=" + dir / "pin"), ""},
      {token.uri("signkey"), "1234"},                         // KBUILD_SIGN_PIN, as sign-file
      {token.uri("signkey", "", "&pin-value=1234"), "9999"},  // the URI's PIN comes first
  };
  for (const auto& [uri, env_pin] : cases) {
    SCOPED_TRACE(uri);
    test::write_text(dir / "c", std::string(1024, 'p'));
    auto r = test::run({"env", "KBUILD_SIGN_PIN=" + env_pin, SIPL_BIN, "sign", "--key", uri, "--cert", cert_uri, "-o",
                        dir / "out", dir / "c"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(test::read_text(dir / "out"), expected);
  }
}

TEST_F(SignPkcs11, AsksForThePinOnTheTerminalWithoutEchoingIt) {
  // util-linux script(1) gives sipl a terminal; the PIN is typed once the prompt is there.
  test::write_text(dir / "c", std::string(1024, 't'));
  test::write_text(dir / "ref", std::string(1024, 't'));
  ASSERT_EQ(sh(std::string(test::kSignFile) + " sha256 " + kp.key + " " + kp.cert + " " + dir / "ref").exit_code, 0);
  const std::string sig_size = std::to_string(test::read_text(dir / "ref").size() - 1024 - 40);
  const std::string tty = dir / "tty.out";
  const std::string cmd = std::string(SIPL_BIN) + " sign --key '" + token.uri("signkey") + "' --cert " + kp.cert +
                          " -o " + dir / "out" + " " + dir / "c";
  auto r = sh("unset KBUILD_SIGN_PIN; (i=0; while [ $i -lt 600 ] && ! grep -q 'PIN for' " + tty +
              " 2>/dev/null; do sleep 0.1; i=$((i+1)); done; printf '1234\\n') | script -qfec \"" + cmd +
              "\" /dev/null > " + tty);
  ASSERT_EQ(r.exit_code, 0) << r.err << test::read_text(tty);
  EXPECT_EQ(test::read_text(tty), "PIN for PKCS#11 token 'sipl-test': \r\nSigned " + dir / "c" +
                                      " (1024 bytes) with RSA 2048 / sha256: " + sig_size + "-byte signature appended, " +
                                      dir / "out" + " written\r\n");
  EXPECT_EQ(test::read_text(dir / "out"), test::read_text(dir / "ref"));
}

TEST_F(SignPkcs11, RsaKeyMadeOnTheTokenSignsAsTheEngineDoes) {
  // The document validates against data/schemas/json/sipl-keygen.schema.json.
  auto k = test::run_sipl_json({"keygen", "--pkcs11", token.uri("rsakey", "", "&pin-value=1234"), "--type", "rsa2048",
                                "--json", "--cert", dir / "rsa.pem"}).run;
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_NE(k.out.find("\"key\": \"pkcs11:token=sipl-test;object=rsakey?module-path=/usr/lib/softhsm/libsofthsm2.so\""),
            std::string::npos)
      << k.out;
  EXPECT_NE(k.out.find("\"token\": \"sipl-test\""), std::string::npos) << k.out;
  EXPECT_EQ(k.out.find("1234"), std::string::npos);
  // The certificate file and the one stored on the token are the same certificate.
  auto der = sh(token.pkcs11_tool("--read-object --type cert --label rsakey") + " | openssl x509 -inform DER");
  EXPECT_EQ(der.out, test::read_text(dir / "rsa.pem"));
  test::write_text(dir / "c", std::string(2560, 'r'));
  auto r = run_sipl({"sign", "--key", token.uri("rsakey", "", "&pin-value=1234"), "--cert", dir / "rsa.pem",
                     "--detached", dir / "ours.p7s", dir / "c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto e = sh(std::string("PKCS11_MODULE_PATH=") + test::kSoftHsmModule +
              " openssl cms -sign -binary -noattr -nocerts -nosmimecap -outform DER -md sha256 -engine pkcs11 "
              "-keyform engine -inkey 'pkcs11:token=sipl-test;object=rsakey;type=private;pin-value=1234' -signer " +
              dir / "rsa.pem" + " -in " + dir / "c" + " -out " + dir / "engine.p7s 2>&1");
  ASSERT_EQ(e.exit_code, 0) << e.out;
  EXPECT_EQ(test::read_text(dir / "ours.p7s"), test::read_text(dir / "engine.p7s"));
}

TEST_F(SignPkcs11, EcdsaKeyMadeOnTheTokenVerifiesWithOpensslAndSipl) {
  auto k = run_sipl({"keygen", "--pkcs11", token.uri("eckey", ";id=%02", "&pin-value=1234"), "--type", "p256", "--cn",
                     "token signer", "--cert", dir / "ec.pem"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_TRUE(
      k.out.starts_with("Wrote p256 key on PKCS#11 token 'sipl-test' pkcs11:token=sipl-test;object=eckey;"
                        "id=%02?module-path=/usr/lib/softhsm/libsofthsm2.so and certificate " +
                        dir / "ec.pem" + " (CN=token signer, valid "))
      << k.out;
  // The key pair and the certificate are on the token; the private key cannot be read out.
  auto listing = sh(token.pkcs11_tool("--login --pin 1234 --list-objects --type privkey"));
  EXPECT_NE(listing.out.find("label:      eckey"), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("Access:     sensitive, always sensitive, never extractable"), std::string::npos)
      << listing.out;
  EXPECT_NE(sh(token.pkcs11_tool("--list-objects --type cert")).out.find("label:      eckey"), std::string::npos);

  test::write_text(dir / "c", std::string(4096, 'c'));
  auto r = run_sipl({"sign", "--key", token.uri("eckey", "", "&pin-value=1234"), "--cert",
                     token.uri("eckey", ";type=cert"), "--save-signature", dir / "c.p7s", dir / "c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(" with ECDSA P-256 / sha256: "), std::string::npos) << r.out;
  ASSERT_EQ(sh("head -c 4096 " + dir / "c" + " > " + dir / "c.p7s.content").exit_code, 0);  // without the signature
  auto v = sh("openssl cms -verify -binary -inform DER -in " + dir / "c.p7s" + " -content " + dir / "c.p7s.content" +
              " -certfile " + dir / "ec.pem" + " -nointern -noverify -out /dev/null 2>&1");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_EQ(v.out, "CMS Verification successful\n");
  // sipl's DIAG 0x508 path, with the certificate as the guest's whole store.
  auto ours = run_sipl({"verify", dir / "c", dir / "ec.pem"});
  EXPECT_EQ(ours.exit_code, 0) << ours.out << ours.err;
}

}  // namespace
}  // namespace sipl
