// QEMU verifies with GnuTLS: gnutls_pkcs7_verify_direct(sig, cert, 0, data, 0) (flags 0, so
// with GnuTLS's time and key-usage checks). sipl keygen's certificates and sipl sign's
// signatures must pass exactly that call; a tampered component must not.
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <gtest/gtest.h>

#include "support/run.h"

namespace sipl {
namespace {

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
    ASSERT_EQ(test::run_sipl({"keygen", "--type", type, "--key", key, "--cert", cert}).exit_code, 0);
    const std::string data(8192, 'q');
    test::write_text(dir / "c", data);
    for (const char* digest : {"sha256", "sha512"}) {
      auto r = test::run_sipl({"sign", "--key", key, "--cert", cert, "--digest", digest, "--detached",
                               dir / "c.p7s", dir / "c"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
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
  ASSERT_EQ(test::run_sipl({"keygen", "--key", dir / "k.key", "--cert", dir / "k.pem"}).exit_code, 0);
  test::write_text(dir / "c", std::string(512, 'z'));
  ASSERT_EQ(test::run_sipl({"sign", "--key", dir / "k.key", "--cert", dir / "k.pem", "--key-id", "--detached",
                            dir / "c.p7s", dir / "c"})
                .exit_code,
            0);
  EXPECT_EQ(gnutls_verify(test::read_text(dir / "k.pem"), test::read_text(dir / "c.p7s"), std::string(512, 'z')), 0);
}

TEST(GnutlsAccepts, NotYetValidKeygenCertificateIsRejectedAsQemuWould) {
  test::TempDir dir;
  ASSERT_EQ(test::run_sipl({"keygen", "--at", "2100-01-01T00:00:00Z", "--key", dir / "k.key", "--cert", dir / "k.pem"})
                .exit_code,
            0);
  test::write_text(dir / "c", std::string(512, 'z'));
  ASSERT_EQ(test::run_sipl({"sign", "--key", dir / "k.key", "--cert", dir / "k.pem", "--detached", dir / "c.p7s",
                            dir / "c"})
                .exit_code,
            0);
  EXPECT_NE(gnutls_verify(test::read_text(dir / "k.pem"), test::read_text(dir / "c.p7s"), std::string(512, 'z')), 0);
}

}  // namespace
}  // namespace sipl
