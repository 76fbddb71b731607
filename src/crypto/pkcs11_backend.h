// Internal to crypto/: the two ways OpenSSL 3 reaches a key on a token. The pkcs11 provider
// (OSSL_STORE, where the system has one: preferred) and the pkcs11 engine of libp11 (Debian
// 12's libengine-pkcs11-openssl). Either hands back an EVP_PKEY that signs on the token;
// CMS signing uses it like a key from a PEM file.
#pragma once

#include <optional>
#include <string>

#include "crypto/ossl.h"
#include "sipl/base/result.h"

namespace sipl::crypto::p11 {

// What to fetch: `object_uri` has only path attributes (no PIN, no module); `uri` is the
// user's URI without its PIN, for messages.
struct FetchRequest {
  std::string object_uri;
  std::string module_path;
  std::optional<std::string> pin;
  std::string uri;
};

enum class Backend { kProvider, kEngine };

// Returns the backend this process can use (the provider when it loads, else the engine).
// Errors: kUnsupported when OpenSSL has neither, naming `uri`.
Result<Backend> pick_backend(const std::string& uri, const std::optional<std::string>& module_path);
// Returns "pkcs11 provider" or "pkcs11 engine".
const char* backend_name(Backend b);

Result<EvpPkeyPtr> engine_load_key(const FetchRequest& r);
Result<X509Ptr> engine_load_certificate(const FetchRequest& r);
bool engine_available();

Result<EvpPkeyPtr> provider_load_key(const FetchRequest& r);
Result<X509Ptr> provider_load_certificate(const FetchRequest& r);
bool provider_available(const std::optional<std::string>& module_path);

}  // namespace sipl::crypto::p11
