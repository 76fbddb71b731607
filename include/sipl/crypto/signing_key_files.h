// A signing key pair as `sipl keygen` writes it: a fresh private key (PEM PKCS#8, mode 0600)
// and its self-signed code-signing certificate (PEM), both written atomically, never over an
// existing file unless asked, and never one without the other. Or the key pair made on a
// PKCS#11 token (it never leaves it) and only its certificate written.
#pragma once

#include <cstdint>
#include <string>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/crypto/pkcs11.h"
#include "sipl/crypto/private_key.h"

namespace sipl::crypto {

struct KeyFilesRequest {
  KeyType type = KeyType::kRsa2048;
  std::string common_name = "sipl secure IPL signing key";
  UnixTime not_before = 0;
  uint32_t days = 3650;
  std::string key;     // output private key file; empty when `pkcs11` is given
  std::string pkcs11;  // a pkcs11: URI (RFC 7512): make the key pair on that token instead
  TokenAccess access;  // the token's PIN, when `pkcs11` is given
  std::string cert;    // output certificate
  bool force = false;   // overwrite existing files
  bool dry_run = false; // check, write nothing
};

struct [[nodiscard]] KeyFiles {
  std::string key;  // the key file, or the token URI without its PIN
  std::string cert;
  KeyType type = KeyType::kRsa2048;
  std::string common_name;
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  bool dry_run = false;
  std::string token;  // the label of the token the key was made on; empty for a key file
  Findings warnings;  // e.g. a certificate name QEMU's boot-certs would not load
};

// Returns what was written (or would be). Errors: kUsage when not exactly one of key and pkcs11
// is given or key and cert are the same file; kBadInput when one exists without `force` (exit 3,
// as the keygen man page says); kIo when a file
// cannot be written (then neither is left behind); the token's errors (crypto/pkcs11.h).
Result<KeyFiles> write_signing_key_files(const KeyFilesRequest& request);

}  // namespace sipl::crypto
