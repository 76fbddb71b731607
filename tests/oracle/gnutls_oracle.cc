#include "oracle/gnutls_oracle.h"

#include <ctime>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

namespace sipl::test {
namespace {

time_t g_at = 0;
time_t fixed_time(time_t* t) {
  if (t) *t = g_at;
  return g_at;
}

gnutls_datum_t datum(const std::string& s) {
  return {reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())), static_cast<unsigned>(s.size())};
}

// qcrypto_pkcs7_convert_sig_pem: DER import, PEM export.
bool convert_to_pem(const std::string& der, std::string& pem) {
  gnutls_pkcs7_t p7 = nullptr;
  if (gnutls_pkcs7_init(&p7) < 0) return false;
  gnutls_datum_t in = datum(der);
  gnutls_datum_t out{nullptr, 0};
  bool ok = gnutls_pkcs7_import(p7, &in, GNUTLS_X509_FMT_DER) == 0 &&
            gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_PEM, &out) == 0;
  if (ok) pem.assign(reinterpret_cast<char*>(out.data), out.size);
  gnutls_free(out.data);
  gnutls_pkcs7_deinit(p7);
  return ok;
}

// qcrypto_x509_verify_sig: returns the GnuTLS rc of the first failing call, 0 if verified.
int verify_one(const std::string& cert_pem, const std::string& content, const std::string& sig_pem) {
  gnutls_x509_crt_t crt = nullptr;
  gnutls_pkcs7_t p7 = nullptr;
  int rc = gnutls_x509_crt_init(&crt);
  gnutls_datum_t c = datum(cert_pem), d = datum(content), s = datum(sig_pem);
  if (rc >= 0) rc = gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM);
  if (rc >= 0) rc = gnutls_pkcs7_init(&p7);
  if (rc >= 0) rc = gnutls_pkcs7_import(p7, &s, GNUTLS_X509_FMT_PEM);
  if (rc >= 0) rc = gnutls_pkcs7_verify_direct(p7, crt, 0, &d, 0);
  gnutls_x509_crt_deinit(crt);
  gnutls_pkcs7_deinit(p7);
  return rc;
}

}  // namespace

OracleResult gnutls_verify(const std::string& sig_der, const std::string& content,
                           const std::vector<std::string>& cert_pems, int64_t at) {
  g_at = static_cast<time_t>(at);
  gnutls_global_set_time_function(fixed_time);
  OracleResult r;
  std::string pem;
  r.converted = convert_to_pem(sig_der, pem);
  for (size_t i = 0; i < cert_pems.size(); ++i) {
    // QEMU swallows a failed conversion: nothing verifies (rc 0x0402).
    int rc = r.converted ? verify_one(cert_pems[i], content, pem) : GNUTLS_E_PARSING_ERROR;
    r.rc.push_back(rc);
    if (rc == 0 && !r.first_verified) r.first_verified = i;
  }
  gnutls_global_set_time_function(::time);
  return r;
}

std::string gnutls_error_name(int rc) {
  if (rc == 0) return "0";
  const char* n = gnutls_strerror_name(rc);
  return n ? n : std::to_string(rc);
}

std::string gnutls_vce_key_steps(const std::string& cert_pem) {
  gnutls_x509_crt_t crt = nullptr;
  if (gnutls_x509_crt_init(&crt) < 0) return "gnutls_x509_crt_init";
  gnutls_datum_t in = datum(cert_pem);
  std::string failed;
  if (int rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM); rc != 0) {
    failed = "gnutls_x509_crt_import: " + gnutls_error_name(rc);
  } else if (gnutls_x509_crt_get_pk_algorithm(crt, nullptr) == GNUTLS_PK_ECDSA) {
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_datum_t x{nullptr, 0}, y{nullptr, 0};
    const int rc = gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y);
    gnutls_free(x.data);
    gnutls_free(y.data);
    if (rc != 0) failed = "gnutls_x509_crt_get_pk_ecc_raw: " + gnutls_error_name(rc);
    else if (curve == GNUTLS_ECC_CURVE_INVALID) failed = "gnutls_x509_crt_get_pk_ecc_raw: GNUTLS_ECC_CURVE_INVALID";
  }
  if (failed.empty()) {
    unsigned char id[64];
    size_t id_size = sizeof id;
    if (int rc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, id, &id_size); rc != 0)
      failed = "gnutls_x509_crt_get_key_id: " + gnutls_error_name(rc);
  }
  gnutls_x509_crt_deinit(crt);
  return failed;
}

}  // namespace sipl::test
