#include "sipl/crypto/version.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

namespace sipl::crypto {

LibraryVersion openssl_library_version() {
  // OPENSSL_VERSION_STRING is the bare version ("3.0.17"), as `openssl version` prints it second.
  return {"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING), OPENSSL_VERSION_STR};
}

}  // namespace sipl::crypto
