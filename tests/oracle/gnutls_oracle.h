// Test-only oracle: QEMU's DIAG 0x508 verification made with the very GnuTLS calls QEMU makes
// (crypto/x509-utils.c of the secure IPL series):
//   signature: gnutls_pkcs7_import(DER) + gnutls_pkcs7_export2(PEM)   (qcrypto_pkcs7_convert_sig_pem)
//   per store certificate, in order:
//     gnutls_x509_crt_import(raw PEM file) ; gnutls_pkcs7_import(PEM) ;
//     gnutls_pkcs7_verify_direct(sig, crt, 0, &component, 0)           (qcrypto_x509_verify_sig)
// GnuTLS reads the clock through gnutls_time(); the oracle replays `--at` with
// gnutls_global_set_time_function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipl::test {

struct OracleResult {
  bool converted = false;                // DER -> PEM conversion succeeded
  std::vector<int> rc;                   // verify rc per certificate (0 = verified)
  std::optional<size_t> first_verified;  // what QEMU reports as cert_store_index
};

// Returns GnuTLS's verdict for `sig_der` over `content` against each PEM text, at Unix time `at`.
OracleResult gnutls_verify(const std::string& sig_der, const std::string& content,
                           const std::vector<std::string>& cert_pems, int64_t at);

// DIAG 0x320's key steps for one certificate, with QEMU's GnuTLS calls (hw/s390x/... get_key_type
// and handle_key_id): gnutls_x509_crt_import(PEM); gnutls_x509_crt_get_pk_algorithm and, for
// ECDSA, gnutls_x509_crt_get_pk_ecc_raw (a curve other than GNUTLS_ECC_CURVE_INVALID);
// gnutls_x509_crt_get_key_id(GNUTLS_KEYID_USE_SHA256). Returns the first call's error name, or
// "" when every step succeeds (QEMU then writes a valid VCE if the time check passed).
std::string gnutls_vce_key_steps(const std::string& cert_pem);

// Returns GnuTLS's symbolic name for an error code (e.g. "GNUTLS_E_EXPIRED"), "0" for success.
std::string gnutls_error_name(int rc);

}  // namespace sipl::test
