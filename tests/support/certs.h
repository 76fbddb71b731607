// Test fixtures: keys and self-signed certificates made at test time with OpenSSL's API, with
// any validity window (the openssl 3.0 CLI cannot back-date or post-date `req -x509`).
// Expected values in tests come from the openssl/certtool CLIs, not from this helper.
#pragma once

#include <cstdint>
#include <string>

namespace sipl::test {

struct CertSpec {
  std::string key_type = "p256";  // p256 is fast to make; rsa2048 rsa4096 p256 p384 p521 ed25519
  std::string cn = "sipl test";
  int64_t not_before = -86400;        // seconds relative to now (or absolute with `absolute`)
  int64_t not_after = 365 * 86400;
  bool absolute = false;              // not_before/not_after are Unix times
  long serial = 1;
  std::string key_usage;              // e.g. "digitalSignature" or "keyCertSign"; empty: none
  size_t padding_extension = 0;       // bytes of an extra opaque extension (to grow the DER)
};

// Writes `cert_path` (PEM certificate) and, if non-empty, `key_path` (PEM private key).
void make_cert(const CertSpec& spec, const std::string& cert_path, const std::string& key_path = "");

}  // namespace sipl::test
