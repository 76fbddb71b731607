// Internal to crypto/: a PKCS#11 module spoken to directly (dlopen + C_GetFunctionList), for
// what OpenSSL's engine and provider cannot tell or do: which tokens exist and whether one is
// locked (so each failure gets its own message), and making a key pair on a token.
// Signing never goes through here: the engine or provider does it with the key's handle.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/crypto/pkcs11_uri.h"
#include "sipl/crypto/private_key.h"

namespace sipl::crypto::p11 {

// The module a URI without module-path reaches: p11-kit's proxy (every module p11-kit is
// configured with), also libp11's default on Debian. PKCS11_MODULE_PATH overrides it, as for
// libp11.
std::string default_module_path();
// Returns module-path from the URI, else $PKCS11_MODULE_PATH, else default_module_path().
std::string module_path_for(const Pkcs11Uri& uri);

struct TokenInfo {
  uint64_t slot_id = 0;
  std::string slot_description, slot_manufacturer;
  std::string label, manufacturer, model, serial;
  bool initialized = false, login_required = false, user_pin_initialized = false, user_pin_locked = false;
};

// Returns true when every token-selecting attribute of `uri` matches `token`.
bool token_matches(const Pkcs11Uri& uri, const TokenInfo& token);

struct KeyPairRequest {
  KeyType type = KeyType::kRsa2048;
  std::string label;  // CKA_LABEL of both keys
  std::string id;     // CKA_ID of both keys (bytes; may be empty)
};

class Module {
 public:
  // Returns the loaded and initialised module at `path`. Errors: kUnsupported when it cannot
  // be loaded or is no PKCS#11 module, naming `uri` (already redacted).
  static Result<Module> open(const std::string& path, const std::string& uri);
  ~Module();
  Module(Module&&) noexcept;
  Module& operator=(Module&&) noexcept;

  // Returns the tokens present in the module's slots.
  Result<std::vector<TokenInfo>> tokens() const;
  // Returns the number of objects of `object_class` (CKO_*) on the slot's token with the
  // label and id when given (public objects; with a PIN, after login, also private ones).
  // Errors: the PIN is wrong (CKR_PIN_INCORRECT) or locked (CKR_PIN_LOCKED), each its message.
  Result<size_t> count_objects(const TokenInfo& token, unsigned long object_class,
                               const std::optional<std::string>& label, const std::optional<std::string>& id,
                               const std::optional<std::string>& pin) const;
  // Makes a signing key pair on the token (private key sensitive, not extractable).
  Status generate_key_pair(const TokenInfo& token, const KeyPairRequest& request, const std::string& pin) const;
  // Stores a DER X.509 certificate on the token under `label` / `id`.
  Status store_certificate(const TokenInfo& token, const std::string& pin, ByteSpan der, ByteSpan subject_der,
                           const std::string& label, const std::string& id) const;
  // Returns the module's file, as opened.
  const std::string& path() const { return path_; }

  struct Impl;

 private:
  Module() = default;
  std::unique_ptr<Impl> impl_;
  std::string path_, uri_;
};

// Returns the CKR_* name of a PKCS#11 return value ("CKR_PIN_INCORRECT"), or its hex value.
std::string ckr_name(unsigned long rv);

}  // namespace sipl::crypto::p11
