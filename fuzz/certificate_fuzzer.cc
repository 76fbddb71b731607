// Fuzzes the certificate loader QEMU's boot-certs files go through (PEM as GnuTLS accepts it,
// and DER). Invariants: an accepted certificate's DER re-loads to the same certificate, and its
// fingerprint is the SHA-256 of exactly those DER bytes; d2i_X509 accepts every certificate the
// fields-only parse accepted (certificate.cc, "Two parses"); where OpenSSL decodes the key, the
// description and kind read from the SubjectPublicKeyInfo say what the decoded key says.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "sipl/crypto/certificate.h"

namespace {

void check_key_against_openssl(const sipl::crypto::Certificate& cert) {
  const sipl::Bytes& der = cert.der();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) std::abort();  // the fields-only parse accepted what d2i_X509 refuses
  EVP_PKEY* key = X509_get0_pubkey(x);
  const std::string desc = cert.key_description();
  using sipl::crypto::KeyAlgorithm;
  if (key != nullptr && EVP_PKEY_is_a(key, "RSA")) {
    if (cert.key_algorithm() != KeyAlgorithm::kRsa) std::abort();
    if (desc != "RSA " + std::to_string(EVP_PKEY_get_bits(key))) std::abort();
  } else if (key != nullptr && EVP_PKEY_is_a(key, "EC")) {
    if (cert.key_algorithm() != KeyAlgorithm::kEcdsa) std::abort();
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) == 1) {
      const std::string g(group);
      if ((g == "prime256v1" && desc != "ECDSA P-256") || (g == "secp384r1" && desc != "ECDSA P-384") ||
          (g == "secp521r1" && desc != "ECDSA P-521"))
        std::abort();
    }
  }
  X509_free(x);
  ERR_clear_error();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sipl::ByteSpan in(reinterpret_cast<const std::byte*>(data), size);
  auto cert = sipl::crypto::Certificate::from_pem_or_der(in);
  if (!cert) return 0;
  const auto& der = cert->der();
  unsigned char md[32];
  SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), md);
  if (std::memcmp(md, cert->fingerprint_sha256().data(), 32) != 0) std::abort();
  auto again = sipl::crypto::Certificate::from_der(der);
  if (!again || again->fingerprint_sha256() != cert->fingerprint_sha256() ||
      again->key_id_sha256() != cert->key_id_sha256() || again->not_after() != cert->not_after() ||
      again->key_description() != cert->key_description())
    std::abort();
  (void)cert->subject();
  (void)cert->serial_hex();
  (void)cert->verifies_own_signature();
  check_key_against_openssl(*cert);
  return 0;
}
