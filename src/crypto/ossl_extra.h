// Internal to crypto/: the OpenSSL owners the signing side needs beyond crypto/ossl.h.
#pragma once

#include <string>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "crypto/ossl.h"

namespace sipl::crypto {

using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;

// Returns the bytes written to a memory BIO.
inline std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace sipl::crypto
