// CMS (PKCS#7) SignedData as the kernel's scripts/sign-file makes it (Linux scripts/sign-file.c):
// detached, no certificates, no signed attributes, binary content, DER. For RSA keys
// (deterministic PKCS#1 v1.5) the bytes equal sign-file's for the same key, certificate and
// digest.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/crypto/certificate.h"
#include "sipl/crypto/private_key.h"

namespace sipl::crypto {

enum class Digest { kSha256, kSha384, kSha512 };

// Every digest, in the order `sipl sign --digest` lists them.
inline constexpr Digest kDigests[] = {Digest::kSha256, Digest::kSha384, Digest::kSha512};

// Returns the digest named "sha256", "sha384" or "sha512" (nullopt otherwise).
std::optional<Digest> parse_digest(std::string_view name);
// Returns the lower-case name ("sha256", ...), as sign-file takes it.
std::string_view digest_name(Digest d);

struct CmsSignOptions {
  Digest digest = Digest::kSha256;
  // Identify the signer by SubjectKeyIdentifier (sign-file -k) instead of issuer and serial.
  bool use_key_id = false;
};

// Returns the DER SignedData over `content`, signed by `key` for `cert`. Errors: kBadInput
// when the key does not match the certificate or --key-id is asked of a certificate without
// a SubjectKeyIdentifier; kInternal for OpenSSL failures.
Result<Bytes> sign_detached_cms(ByteSpan content, const PrivateKey& key, const Certificate& cert,
                                const CmsSignOptions& options);
// The same for content given in pieces (signed as their concatenation, never joined in memory).
Result<Bytes> sign_detached_cms(std::span<const ByteSpan> pieces, const PrivateKey& key, const Certificate& cert,
                                const CmsSignOptions& options);

}  // namespace sipl::crypto
