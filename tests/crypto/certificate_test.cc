// crypto::Certificate against the openssl and certtool CLIs.
#include "sipl/crypto/certificate.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "oracle/gnutls_oracle.h"
#include "sipl/base/file.h"
#include "sipl/base/time.h"
#include "support/certs.h"
#include "support/must.h"
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

// The description and kind of key come from the SubjectPublicKeyInfo without decoding the key
// where that can tell (RSA, NIST curves) and from the decoded key otherwise; both must say
// what `openssl x509 -text` says of the same certificate.
TEST(Certificate, KeyDescriptionAgreesWithOpensslForEveryKeyShape) {
  test::TempDir t;
  struct {
    const char* newkey;
    KeyAlgorithm kind;
  } cases[] = {{"rsa:1025", KeyAlgorithm::kRsa},
               {"rsa:3072", KeyAlgorithm::kRsa},
               {"rsa-pss -pkeyopt rsa_keygen_bits:2048", KeyAlgorithm::kOther},
               {"ec -pkeyopt ec_paramgen_curve:P-256", KeyAlgorithm::kEcdsa},
               {"ec -pkeyopt ec_paramgen_curve:P-521", KeyAlgorithm::kEcdsa},
               {"ec -pkeyopt ec_paramgen_curve:secp256k1", KeyAlgorithm::kEcdsa},
               {"ec -pkeyopt ec_paramgen_curve:brainpoolP256r1", KeyAlgorithm::kEcdsa},
               {"ed25519", KeyAlgorithm::kOther}};
  for (const auto& k : cases) {
    const std::string pem = t / "k.pem";
    test::must(fmt::format("openssl req -x509 -newkey {} -nodes -keyout /dev/null -subj /CN=k -days 2 -out {} 2>/dev/null",
                           k.newkey, pem));
    const std::string text = test::must_out(fmt::format("openssl x509 -in {} -noout -text", pem));
    auto field = [&](const std::string& name) {
      const size_t at = text.find(name);
      if (at == std::string::npos) return std::string();
      const size_t end = text.find('\n', at);
      return text.substr(at + name.size(), end - at - name.size());
    };
    const std::string alg = field("Public Key Algorithm: ");
    std::string want;
    if (alg == "rsaEncryption" || alg == "rsassaPss") {
      const std::string bits = field("Public-Key: (");
      want = "RSA " + bits.substr(0, bits.find(' '));
    } else if (alg == "id-ecPublicKey") {
      const std::string nist = field("NIST CURVE: ");
      want = "ECDSA " + (nist.empty() ? field("ASN1 OID: ") : nist);
    } else {
      want = alg;
    }
    Certificate c = load(pem);
    EXPECT_EQ(c.key_description(), want) << k.newkey << "\n" << text;
    EXPECT_EQ(c.key_algorithm(), k.kind) << k.newkey;
  }
}

// GnuTLS imports a certificate whose EC point is not on its curve and names the curve
// (certtool -i), OpenSSL cannot decode the key. sipl loads it (as QEMU does), describes it as
// GnuTLS does, and its key is unusable: its own signature does not verify with it.
TEST(Certificate, AnEcPointOffTheCurveIsDescribedAsGnutlsDoesButCannotVerify) {
  test::TempDir t;
  test::must(fmt::format("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null "
                         "-subj /CN=off -days 2 -outform DER -out {} 2>/dev/null",
                         t / "good.der"));
  std::string der = test::read_text(t / "good.der");
  const size_t point = der.find(std::string("\x03\x42\x00\x04", 4));
  ASSERT_NE(point, std::string::npos);
  der[point + 10] = static_cast<char>(der[point + 10] ^ 0xFF);
  test::write_text(t / "off.der", der);
  EXPECT_NE(test::sh(fmt::format("openssl x509 -inform DER -in {} -noout -pubkey", t / "off.der")).exit_code, 0);
  EXPECT_NE(test::must_out(fmt::format("certtool -i --inder --infile {}", t / "off.der")).find("Curve:\tSECP256R1"),
            std::string::npos);
  auto c = Certificate::from_der(as_bytes(der));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->key_description(), "ECDSA P-256");
  EXPECT_EQ(c->key_algorithm(), KeyAlgorithm::kEcdsa);
  EXPECT_FALSE(c->verifies_own_signature());
}

// Which keys QEMU cannot classify or compute a key id for (its DIAG 0x320 then marks the VCE
// invalid): sipl's answer from the SubjectPublicKeyInfo against the GnuTLS calls QEMU makes.
TEST(Certificate, GnutlsKeyProblemAgreesWithGnutls) {
  test::TempDir t;
  const std::vector<std::string> newkeys = {
      "ec -pkeyopt ec_paramgen_curve:prime192v1",
      "ec -pkeyopt ec_paramgen_curve:secp224r1",
      "ec -pkeyopt ec_paramgen_curve:P-256",
      "ec -pkeyopt ec_paramgen_curve:P-384",
      "ec -pkeyopt ec_paramgen_curve:P-521",
      "ec -pkeyopt ec_paramgen_curve:secp256k1",
      "ec -pkeyopt ec_paramgen_curve:brainpoolP256r1",
      "ec -pkeyopt ec_paramgen_curve:prime239v1",
      "ec -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:explicit",
      "rsa:2048",
      "rsa-pss -pkeyopt rsa_keygen_bits:2048",
      "ed25519",
      "ed448"};
  size_t unreadable = 0;
  for (const auto& k : newkeys) {
    const std::string pem = t / "k.pem";
    test::must(fmt::format("openssl req -x509 -newkey {} -nodes -keyout /dev/null -subj /CN=k -days 2 -out {} 2>/dev/null",
                           k, pem));
    const std::string gnutls = test::gnutls_vce_key_steps(test::read_text(pem));
    Certificate c = load(pem);
    EXPECT_EQ(c.gnutls_key_problem().empty(), gnutls.empty()) << k << "\nGnuTLS: " << gnutls << "\nsipl: "
                                                              << c.gnutls_key_problem();
    if (!gnutls.empty()) ++unreadable;
    if (k.find("secp256k1") != std::string::npos) {
      EXPECT_EQ(c.gnutls_key_problem(), "GnuTLS does not support its EC curve secp256k1");
    }
    if (k.find("explicit") != std::string::npos) {
      EXPECT_EQ(c.gnutls_key_problem(),
                "its EC curve is given by explicit parameters, not named, and GnuTLS reads only named curves");
    }
  }
  EXPECT_EQ(unreadable, 4u);  // secp256k1, brainpoolP256r1, prime239v1, explicit parameters
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
