// Fuzzes the certificate loader QEMU's boot-certs files go through (PEM as GnuTLS accepts it,
// and DER). Invariant: an accepted certificate's DER re-loads to the same certificate, and its
// fingerprint is the SHA-256 of exactly those DER bytes.
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>

#include "sipl/crypto/certificate.h"

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
      again->key_id_sha256() != cert->key_id_sha256() || again->not_after() != cert->not_after())
    std::abort();
  (void)cert->subject();
  (void)cert->serial_hex();
  return 0;
}
