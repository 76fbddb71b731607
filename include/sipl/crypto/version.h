// The OpenSSL sipl's cryptography runs on.
#pragma once

#include "sipl/base/library_version.h"

namespace sipl::crypto {

// Returns OpenSSL's version: loaded (OpenSSL_version) and compiled against (OPENSSL_VERSION_STR).
LibraryVersion openssl_library_version();

}  // namespace sipl::crypto
