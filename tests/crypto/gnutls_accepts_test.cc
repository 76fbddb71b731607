// QEMU verifies with GnuTLS: gnutls_pkcs7_verify_direct(sig, cert, 0, data, 0) (flags 0, so
// with GnuTLS's time and key-usage checks). sipl keygen's certificates and sipl sign's
// signatures must pass exactly that call; a tampered component must not.
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <gtest/gtest.h>

#include "sipl/base/time.h"
#include "sipl/crypto/signing_key_files.h"
#include "sipl/image/sign_file.h"
#include "support/run.h"

namespace sipl {
namespace {

// keygen and sign as the library does them for `sipl keygen` and `sipl sign`.
void keygen(crypto::KeyType type, const std::string& key, const std::string& cert, UnixTime at = now()) {
  crypto::KeyFilesRequest r;
  r.type = type;
  r.not_before = at;
  r.key = key;
  r.cert = cert;
  auto k = crypto::write_signing_key_files(r);
  ASSERT_TRUE(k) << k.error().to_string();
}

void sign_detached(const std::string& key, const std::string& cert, crypto::CmsSignOptions cms,
                   const std::string& file, const std::string& sig) {
  image::SignFileRequest r;
  r.file = file;
  r.key = key;
  r.cert = cert;
  r.cms = cms;
  r.detached = sig;
  auto s = image::sign_file(r);
  ASSERT_TRUE(s) << s.error().to_string();
}

// Returns GnuTLS's verdict (0 = verified) for `sig_der` over `data` with the PEM `cert`.
int gnutls_verify(const std::string& cert_pem, const std::string& sig_der, const std::string& data) {
  gnutls_x509_crt_t crt;
  gnutls_pkcs7_t p7;
  gnutls_x509_crt_init(&crt);
  gnutls_pkcs7_init(&p7);
  gnutls_datum_t c{reinterpret_cast<unsigned char*>(const_cast<char*>(cert_pem.data())),
                   static_cast<unsigned>(cert_pem.size())};
  gnutls_datum_t s{reinterpret_cast<unsigned char*>(const_cast<char*>(sig_der.data())),
                   static_cast<unsigned>(sig_der.size())};
  gnutls_datum_t d{reinterpret_cast<unsigned char*>(const_cast<char*>(data.data())),
                   static_cast<unsigned>(data.size())};
  int rc = gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM);
  if (rc == 0) rc = gnutls_pkcs7_import(p7, &s, GNUTLS_X509_FMT_DER);
  if (rc == 0) rc = gnutls_pkcs7_verify_direct(p7, crt, 0, &d, 0);
  gnutls_pkcs7_deinit(p7);
  gnutls_x509_crt_deinit(crt);
  return rc;
}

TEST(GnutlsAccepts, KeygenCertificatesAndSiplSignatures) {
  test::TempDir dir;
  for (const char* type : {"rsa2048", "p256", "p384", "p521"}) {
    SCOPED_TRACE(type);
    const std::string key = dir / (std::string(type) + ".key"), cert = dir / (std::string(type) + ".pem");
    keygen(*crypto::parse_key_type(type), key, cert);
    ASSERT_FALSE(HasFatalFailure());
    const std::string data(8192, 'q');
    test::write_text(dir / "c", data);
    for (const char* digest : {"sha256", "sha512"}) {
      sign_detached(key, cert, {*crypto::parse_digest(digest), false}, dir / "c", dir / "c.p7s");
      ASSERT_FALSE(HasFatalFailure());
      const std::string sig = test::read_text(dir / "c.p7s");
      EXPECT_EQ(gnutls_verify(test::read_text(cert), sig, data), 0) << digest;
      std::string tampered = data;
      tampered[100] ^= 1;
      EXPECT_EQ(gnutls_verify(test::read_text(cert), sig, tampered), GNUTLS_E_PK_SIG_VERIFY_FAILED);
    }
  }
}

TEST(GnutlsAccepts, KeyIdSignerIsFoundToo) {
  test::TempDir dir;
  keygen(crypto::KeyType::kRsa2048, dir / "k.key", dir / "k.pem");
  test::write_text(dir / "c", std::string(512, 'z'));
  sign_detached(dir / "k.key", dir / "k.pem", {crypto::Digest::kSha256, true}, dir / "c", dir / "c.p7s");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(gnutls_verify(test::read_text(dir / "k.pem"), test::read_text(dir / "c.p7s"), std::string(512, 'z')), 0);
}

TEST(GnutlsAccepts, NotYetValidKeygenCertificateIsRejectedAsQemuWould) {
  test::TempDir dir;
  keygen(crypto::KeyType::kRsa2048, dir / "k.key", dir / "k.pem", 4102444800);  // 2100-01-01T00:00:00Z
  test::write_text(dir / "c", std::string(512, 'z'));
  sign_detached(dir / "k.key", dir / "k.pem", {}, dir / "c", dir / "c.p7s");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(gnutls_verify(test::read_text(dir / "k.pem"), test::read_text(dir / "c.p7s"), std::string(512, 'z')), 0);
}

}  // namespace
}  // namespace sipl
