// Every verb spells a certificate serial as `openssl x509 -noout -serial` does. The serial 0x0123
// is where spellings part: openssl prints "0123"; dropping leading zeros ("123", what certs and
// verify printed before) or lower-casing it would no longer match what users paste from openssl.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl {
namespace {

// s.pem (serial 0x0123) signed k with the kernel's sign-file; o.pem is another certificate.
struct SignedWithSerial0123 {
  test::TempDir d;
  std::string serial;
  SignedWithSerial0123() {
    auto r = test::sh(fmt::format(
        "cd {} && openssl req -new -x509 -newkey rsa:2048 -nodes -keyout s.key -subj /CN=signer -days 30 "
        "-set_serial 0x0123 -out s.pem 2>/dev/null && openssl req -new -x509 -newkey rsa:2048 -nodes -keyout o.key "
        "-subj /CN=other -days 30 -out o.pem 2>/dev/null && head -c 4096 /dev/urandom > k && "
        "/usr/lib/linux-kbuild-6.1/scripts/sign-file sha256 s.key s.pem k",
        d.path()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    serial = test::openssl_serial(d / "s.pem");
  }
};

TEST(SerialSpellingCli, CertsPrintsOpensslsSerial) {
  SignedWithSerial0123 f;
  ASSERT_EQ(f.serial, "0123");  // the case under test: a leading zero nibble
  auto r = test::run_sipl({"certs", f.d / "s.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n    serial:      " + f.serial + "\n"), std::string::npos) << r.out;
  auto jr = test::run_sipl_json({"certs", "--json", f.d / "s.pem"});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  EXPECT_EQ(jr.json["certificates"][0]["serial"], f.serial);
}

TEST(SerialSpellingCli, VerifyPrintsOpensslsSerialForCertificateAndSigner) {
  SignedWithSerial0123 f;
  auto r = test::run_sipl({"verify", f.d / "k", f.d / "s.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  signer info #0 of 1: RSA sha256, signer serial " + f.serial + "\n"), std::string::npos)
      << r.out;
  auto jr = test::run_sipl_json({"verify", "--json", f.d / "k", f.d / "s.pem"});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["certificate"]["serial"], f.serial);
  EXPECT_EQ(j["signature"]["serial"], f.serial);
  // Not in the store: the finding names the signer the same way.
  r = test::run_sipl({"verify", f.d / "k", f.d / "o.pem"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("the signer (serial " + f.serial + ") is not in the store"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sipl
