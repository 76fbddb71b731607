// Private signing keys (RSA and ECDSA) for `sipl sign` and `sipl keygen`: loaded from PEM
// (PKCS#8 or the traditional RSA/EC forms, as the kernel's sign-file accepts them) or
// generated, and written as PEM PKCS#8. A key on a PKCS#11 token is a PrivateKey too
// (crypto/pkcs11.h): it signs on the token and cannot be written out.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::crypto {

// The key types `sipl keygen --type` offers.
enum class KeyType { kRsa2048, kRsa4096, kP256, kP384, kP521 };

// Every key type, in the order `sipl keygen --type` lists them.
inline constexpr KeyType kKeyTypes[] = {KeyType::kRsa2048, KeyType::kRsa4096, KeyType::kP256, KeyType::kP384,
                                        KeyType::kP521};

// Returns the key type named "rsa2048", "rsa4096", "p256", "p384" or "p521" (nullopt otherwise).
std::optional<KeyType> parse_key_type(std::string_view name);
// Returns the `--type` name of a key type.
std::string_view key_type_name(KeyType t);

class PrivateKey {
 public:
  // Returns the first private key of a PEM text. `passphrase` decrypts an encrypted key
  // (never prompts). Errors (kBadInput) name `path`.
  static Result<PrivateKey> from_pem(ByteSpan pem, const std::string& path,
                                     const std::optional<std::string>& passphrase = std::nullopt);
  // Returns the key in the PEM file `path` (at most 1 MiB).
  static Result<PrivateKey> load(const std::string& path,
                                 const std::optional<std::string>& passphrase = std::nullopt);
  // Returns a fresh key of `type` from OpenSSL's default random generator.
  static Result<PrivateKey> generate(KeyType type);

  // Returns the key as unencrypted PEM PKCS#8 ("-----BEGIN PRIVATE KEY-----").
  Result<std::string> to_pkcs8_pem() const;
  // Returns e.g. "RSA 2048", "ECDSA P-256".
  std::string description() const;
  // Returns true for elliptic-curve keys (their signatures are randomised).
  bool is_ecdsa() const;

  // The OpenSSL EVP_PKEY* behind this key, for crypto/ internals only.
  const void* native_handle() const;

  struct Impl;

 private:
  friend struct PrivateKeyAccess;  // crypto/ internals: keys that live on a PKCS#11 token
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sipl::crypto
