// Every verb spells a certificate serial as `openssl x509 -noout -serial` does. The serial 0x0123
// is where spellings part: openssl prints "0123"; dropping leading zeros ("123", what certs and
// verify printed before) or lower-casing it would no longer match what users paste from openssl.
#include <gtest/gtest.h>

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl {
namespace {

constexpr const char* kSignFile = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";

class SerialSpellingCli : public ::testing::Test {
 protected:
  static std::unique_ptr<test::TempDir> dir;
  static std::string p(const std::string& n) { return (*dir) / n; }
  static void must(const std::string& cmd) {
    auto r = test::sh(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  }
  static void SetUpTestSuite() {
    dir = std::make_unique<test::TempDir>();
    must(fmt::format("cd {} && openssl req -new -x509 -newkey rsa:2048 -nodes -keyout s.key -subj /CN=signer -days 30 "
                     "-set_serial 0x0123 -out s.pem 2>/dev/null && openssl req -new -x509 -newkey rsa:2048 -nodes "
                     "-keyout o.key -subj /CN=other -days 30 -out o.pem 2>/dev/null && head -c 4096 /dev/urandom > "
                     "k && {} sha256 s.key s.pem k",
                     dir->path(), kSignFile));
  }
  static void TearDownTestSuite() { dir.reset(); }
};
std::unique_ptr<test::TempDir> SerialSpellingCli::dir;

TEST_F(SerialSpellingCli, CertsPrintsOpensslsSerial) {
  const std::string serial = test::openssl_serial(p("s.pem"));
  ASSERT_EQ(serial, "0123");  // the case under test: a leading zero nibble
  auto r = test::run_sipl({"certs", p("s.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n    serial:      " + serial + "\n"), std::string::npos) << r.out;
  r = test::run_sipl({"certs", "--json", p("s.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["certificates"][0]["serial"], serial);
}

TEST_F(SerialSpellingCli, VerifyPrintsOpensslsSerialForCertificateAndSigner) {
  const std::string serial = test::openssl_serial(p("s.pem"));
  auto r = test::run_sipl({"verify", p("k"), p("s.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  signer info #0 of 1: RSA sha256, signer serial " + serial + "\n"), std::string::npos) << r.out;
  r = test::run_sipl({"verify", "--json", p("k"), p("s.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["certificate"]["serial"], serial);
  EXPECT_EQ(j["signature"]["signer_serial"], serial);
  // Not in the store: the finding names the signer the same way.
  r = test::run_sipl({"verify", p("k"), p("o.pem")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("the signer (serial " + serial + ") is not in the store"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sipl
