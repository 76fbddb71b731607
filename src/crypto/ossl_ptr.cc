#include "crypto/ossl_ptr.h"

#include <openssl/err.h>

namespace sipl::crypto::ossl {

std::string drain_errors() {
  std::string out;
  unsigned long e = 0;
  // The queue is bounded by OpenSSL (ERR_NUM_ERRORS), so this loop ends.
  while ((e = ERR_get_error()) != 0) {
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += "; ";
    out += reason ? reason : "unknown OpenSSL error";
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace sipl::crypto::ossl
