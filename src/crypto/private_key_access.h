// Internal to crypto/: making a PrivateKey from an EVP_PKEY that came from elsewhere (a PEM
// file, or a PKCS#11 token through OpenSSL's engine or provider).
#pragma once

#include <string>

#include "crypto/ossl.h"
#include "sipl/crypto/private_key.h"

namespace sipl::crypto {

struct PrivateKeyAccess {
  // Returns the key owning `pkey`. Errors: kBadInput naming `where` for a key that is
  // neither RSA nor EC (sign-file's and DIAG 0x508's algorithms).
  static Result<PrivateKey> adopt(EvpPkeyPtr pkey, const std::string& where);
};

}  // namespace sipl::crypto
