// Self-signed X.509 v3 code-signing certificates for `sipl keygen`, with the extensions of the
// kernel's certs/default_x509.genkey plus extendedKeyUsage codeSigning (docs/DECISIONS-sign.md).
#pragma once

#include <cstdint>
#include <string>

#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/crypto/private_key.h"

namespace sipl::crypto {

struct SelfSignedOptions {
  std::string common_name = "sipl secure IPL signing key";
  UnixTime not_before = 0;
  uint32_t days = 3650;
};

// Returns the PEM certificate ("-----BEGIN CERTIFICATE-----") for `key`: subject = issuer =
// CN, random 16-byte positive serial, validity [not_before, not_before + days*86400],
// basicConstraints critical CA:FALSE, keyUsage digitalSignature, extendedKeyUsage
// codeSigning, subjectKeyIdentifier (SHA-1 of the key), authorityKeyIdentifier keyid.
// Signed with SHA-256 (RSA, P-256), SHA-384 (P-384) or SHA-512 (P-521).
Result<std::string> make_self_signed_certificate(const PrivateKey& key, const SelfSignedOptions& options);

}  // namespace sipl::crypto
