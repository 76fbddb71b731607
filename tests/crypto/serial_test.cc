// One spelling of a serial number everywhere sipl prints one (certificate, PKCS#7 signer of
// `inspect`, signer of `verify`), checked against `openssl x509 -noout -serial` on the serials
// where hex spellings part ways: a leading zero nibble, a sign byte, zero, negative, long.
#include <gtest/gtest.h>

#include <array>

#include "crypto/serial.h"
#include "sipl/base/file.h"
#include "sipl/base/time.h"
#include "sipl/crypto/certificate.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/crypto/pkcs7_info.h"
#include "support/openssl_cli.h"
#include "support/must.h"
#include "support/run.h"

namespace sipl::crypto {
namespace {

using test::must;

class SerialSpelling : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    must("cd '" + dir_->path() + "' && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem "
         "&& head -c 1000 /dev/urandom > data");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static test::TempDir* dir_;
};
test::TempDir* SerialSpelling::dir_ = nullptr;

// `openssl x509 -serial` breaks serials over 35 bytes with "\" and a newline; sipl prints one
// token (docs/DECISIONS.md), so the break is the only thing taken out of openssl's answer.
std::string openssl_serial_one_token(const std::string& pem) {
  std::string s = test::openssl_serial(pem);
  std::erase_if(s, [](char c) { return c == '\\' || c == '\n'; });
  return s;
}

TEST_P(SerialSpelling, CertificateAndBothSignerReadersMatchOpenssl) {
  const test::TempDir& d = *dir_;
  must("cd '" + d.path() + "' && openssl req -new -x509 -key k.pem -out c.pem -days 30 -subj /CN=serial -set_serial " +
       GetParam() + " && openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -in data -signer c.pem "
       "-inkey k.pem -out sig.der");
  const std::string expected = openssl_serial_one_token(d / "c.pem");
  ASSERT_FALSE(expected.empty());

  auto pem = read_file(d / "c.pem", 1 << 20);
  ASSERT_TRUE(pem);
  auto cert = Certificate::from_pem(*pem);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(cert->serial_hex(), expected);

  auto sig = read_file(d / "sig.der", 1 << 20);
  auto data = read_file(d / "data", 1 << 20);
  ASSERT_TRUE(sig && data);
  auto info = describe_pkcs7(*sig, "sig.der");
  ASSERT_TRUE(info) << info.error().to_string();
  ASSERT_EQ(info->signers.size(), 1u);
  EXPECT_EQ(info->signers[0].serial_hex, expected);

  const std::array<const Certificate*, 1> store{&*cert};
  VerifyVerdict v = verify_detached(*sig, *data, store, now());
  EXPECT_TRUE(v.verified);
  ASSERT_TRUE(v.signature);
  EXPECT_EQ(v.signature->signer_serial_hex, expected);
}

INSTANTIATE_TEST_SUITE_P(Edges, SerialSpelling,
                         ::testing::Values("0x1234ABCD", "0x0123", "0x80FF", "0xFF00", "0x7F", "0", "-5",
                                           "0xFF00000000000000000000000000000001",
                                           "0xABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"));

// Non-minimal padding OpenSSL refuses to decode still names the bytes that are there.
TEST(SerialSpelling, UndecodableSignerSerialIsShownAsItsBytes) {
  EXPECT_EQ(serial_hex_from_der(as_bytes(std::string_view("\x00\x01", 2))), "0001");
  EXPECT_EQ(serial_hex_from_der(ByteSpan{}), "");
}

}  // namespace
}  // namespace sipl::crypto
