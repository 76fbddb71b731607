// crypto::Certificate against the openssl and certtool CLIs.
#include "sipl/crypto/certificate.h"

#include <gtest/gtest.h>

#include "sipl/base/file.h"
#include "sipl/base/time.h"
#include "support/certs.h"
#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl::crypto {
namespace {

Certificate load(const std::string& path) {
  auto bytes = read_file(path, 1 << 20);
  EXPECT_TRUE(bytes);
  auto c = Certificate::from_pem(*bytes);
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

class CertificateByKeyType : public ::testing::TestWithParam<std::string> {};

TEST_P(CertificateByKeyType, ValuesMatchOpensslAndCerttool) {
  test::TempDir t;
  test::make_cert({.key_type = GetParam(), .cn = "Signer " + GetParam(), .serial = 0x1234abcd}, t / "c.pem");
  Certificate c = load(t / "c.pem");
  EXPECT_EQ(to_hex(c.fingerprint_sha256()), test::openssl_fingerprint_sha256(t / "c.pem"));
  EXPECT_EQ(to_hex(c.key_id_sha256()), test::certtool_key_id_sha256(t / "c.pem"));
  EXPECT_EQ(c.subject(), test::openssl_subject(t / "c.pem"));
  EXPECT_EQ(c.issuer(), test::openssl_subject(t / "c.pem"));
  EXPECT_EQ(c.serial_hex(), test::openssl_serial(t / "c.pem"));
  EXPECT_EQ(to_string(c.der()), test::openssl_der(t / "c.pem"));
  EXPECT_EQ(format_time(c.not_before()), test::openssl_not_before(t / "c.pem"));
  EXPECT_EQ(format_time(c.not_after()), test::openssl_not_after(t / "c.pem"));
}

INSTANTIATE_TEST_SUITE_P(All, CertificateByKeyType, ::testing::Values("rsa2048", "p256", "p384", "p521", "ed25519"));

TEST(Certificate, KeyTypeIsOneOnlyForP521) {
  test::TempDir t;
  struct {
    const char* type;
    VceKeyType want;
    const char* desc;
  } cases[] = {{"rsa2048", VceKeyType::kSelfDescribing, "RSA 2048"},
               {"p256", VceKeyType::kSelfDescribing, "ECDSA P-256"},
               {"p384", VceKeyType::kSelfDescribing, "ECDSA P-384"},
               {"p521", VceKeyType::kEcdsaP521, "ECDSA P-521"},
               {"ed25519", VceKeyType::kSelfDescribing, "ED25519"}};
  for (auto& k : cases) {
    test::make_cert({.key_type = k.type}, t / "c.pem");
    Certificate c = load(t / "c.pem");
    EXPECT_EQ(c.key_type(), k.want) << k.type;
    EXPECT_EQ(c.key_description(), k.desc) << k.type;
  }
}

TEST(Certificate, DerAndPemGiveTheSameCertificate) {
  test::TempDir t;
  test::make_cert({}, t / "c.pem");
  std::string der = test::openssl_der(t / "c.pem");
  auto from_der = Certificate::from_der(as_bytes(der));
  ASSERT_TRUE(from_der);
  EXPECT_EQ(from_der->fingerprint_sha256(), load(t / "c.pem").fingerprint_sha256());
  auto sniffed = Certificate::from_pem_or_der(as_bytes(der));
  ASSERT_TRUE(sniffed);
  EXPECT_EQ(to_string(sniffed->der()), der);
}

TEST(Certificate, DerWithTrailingBytesIsRejectedAsGnutlsDoes) {
  test::TempDir t;
  test::make_cert({}, t / "c.pem");
  std::string der = test::openssl_der(t / "c.pem") + "xx";
  auto c = Certificate::from_der(as_bytes(der));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "ASN1 parser: Error in DER parsing.");
}

TEST(Certificate, ValidityWindowIsInclusive) {
  test::TempDir t;
  test::make_cert({.not_before = 1000000000, .not_after = 1000086400, .absolute = true}, t / "c.pem");
  Certificate c = load(t / "c.pem");
  EXPECT_FALSE(c.valid_at(999999999));
  EXPECT_TRUE(c.valid_at(1000000000));
  EXPECT_TRUE(c.valid_at(1000086400));
  EXPECT_FALSE(c.valid_at(1000086401));
}

TEST(Certificate, DatesBeyond2038AndBefore1970) {
  test::TempDir t;
  test::make_cert({.not_before = -315619200, .not_after = 4102444800, .absolute = true}, t / "c.pem");
  Certificate c = load(t / "c.pem");
  EXPECT_EQ(format_time(c.not_before()), "1960-01-01T00:00:00Z");
  EXPECT_EQ(format_time(c.not_after()), "2100-01-01T00:00:00Z");
  EXPECT_EQ(format_time(c.not_after()), test::openssl_not_after(t / "c.pem"));
}

}  // namespace
}  // namespace sipl::crypto
