// Reaching a key on a token: parse the URI, check the module and token directly (so each
// failure has its own message), resolve the PIN, then let OpenSSL's provider or engine hand
// back the key. Order matters: the direct check finalises the module before OpenSSL
// initialises it, so nothing here ever pulls the module from under OpenSSL's sessions.
#include "sipl/crypto/pkcs11.h"

#include <fmt/format.h>
#include <p11-kit/pkcs11.h>

#include "crypto/pkcs11_backend.h"
#include "crypto/pkcs11_module.h"
#include "crypto/private_key_access.h"
#include "sipl/base/diagnostic_ids.h"
#include "sipl/base/file.h"

namespace sipl::crypto {
namespace {

constexpr uint64_t kMaxPinFile = 4096;

struct Reached {
  Pkcs11Uri uri;
  p11::Backend backend = p11::Backend::kEngine;
  std::string module_path;
  p11::TokenInfo token;
};

std::string quoted_labels(const std::vector<p11::TokenInfo>& tokens) {
  std::string s;
  for (const auto& t : tokens) s += fmt::format("{}'{}'", s.empty() ? "" : ", ", t.label);
  return s;
}

// Returns e.g. "object=signkey;id=01" (id in hex), the attributes that select the object.
std::string object_selector(const Pkcs11Uri& uri) {
  std::string s;
  if (auto o = uri.path_attribute("object")) s = "object=" + *o;
  if (auto id = uri.path_attribute("id")) {
    s += s.empty() ? "id=" : ";id=";
    for (char c : *id) s += fmt::format("{:02x}", static_cast<unsigned char>(c));
  }
  return s;
}

// Parses the URI, picks OpenSSL's way in, and finds the one token it names (the module is
// opened here and finalised again before this returns).
Result<std::pair<Reached, p11::Module>> reach(std::string_view text) {
  auto uri = Pkcs11Uri::parse(text);
  if (!uri) return tl::unexpected(uri.error());
  Reached r{*uri};
  const std::string& where = uri->redacted();
  auto backend = p11::pick_backend(where, uri->module_path());
  if (!backend) return tl::unexpected(backend.error());
  r.backend = *backend;
  r.module_path = p11::module_path_for(*uri);
  auto module = p11::Module::open(r.module_path, where);
  if (!module) return tl::unexpected(module.error());
  auto tokens = module->tokens();
  if (!tokens) return tl::unexpected(tokens.error());
  std::vector<p11::TokenInfo> present, matching;
  for (const auto& t : *tokens) {
    if (!t.initialized) continue;
    present.push_back(t);
    if (p11::token_matches(*uri, t)) matching.push_back(t);
  }
  if (matching.empty())
    return fail(ErrorCode::kBadInput,
                present.empty() ? fmt::format("no PKCS#11 token matches {}: the module {} has no initialised token",
                                              uri->describe_token(), r.module_path)
                                : fmt::format("no PKCS#11 token matches {} (tokens in {}: {})", uri->describe_token(),
                                              r.module_path, quoted_labels(present)),
                Location{where});
  if (matching.size() > 1)
    return fail(ErrorCode::kBadInput,
                fmt::format("{} PKCS#11 tokens match {} ({}); add token= or serial= to the URI to choose one",
                            matching.size(), uri->describe_token(), quoted_labels(matching)),
                Location{where});
  r.token = matching.front();
  if (r.token.user_pin_locked)
    return fail(ids::kPkcs11PinLocked, ErrorCode::kBadInput,
                fmt::format("the user PIN of token '{}' is locked (CKF_USER_PIN_LOCKED); the security officer can "
                            "unlock it",
                            r.token.label),
                Location{where});
  return std::pair<Reached, p11::Module>{std::move(r), std::move(*module)};
}

// The PIN from the URI (pin-value, then pin-source), then the caller's, then the prompt.
Result<std::optional<std::string>> resolve_pin(const Reached& r, const TokenAccess& access, bool may_ask) {
  const std::string& where = r.uri.redacted();
  if (r.uri.pin_value()) return r.uri.pin_value();
  if (const auto& src = r.uri.pin_source()) {
    std::string path = *src;
    if (path.starts_with("file://"))
      path.erase(0, 7);
    else if (path.starts_with("file:"))
      path.erase(0, 5);
    if (!path.starts_with("/"))
      return fail(ErrorCode::kUsage, fmt::format("pin-source={} is not a file (file:/path or /path)", *src),
                  Location{where});
    auto data = read_file(path, kMaxPinFile);
    if (!data)
      return fail(ErrorCode::kIo, fmt::format("cannot read the PIN from pin-source {}: {}", path, data.error().message),
                  Location{where});
    std::string pin(reinterpret_cast<const char*>(data->data()), data->size());
    pin = pin.substr(0, pin.find_first_of("\r\n"));
    return std::optional<std::string>(std::move(pin));
  }
  if (access.pin) return access.pin;
  if (may_ask && access.ask_pin) {
    if (auto pin = access.ask_pin(fmt::format("PIN for PKCS#11 token '{}': ", r.token.label))) return pin;
  }
  return std::optional<std::string>();
}

tl::unexpected<Error> pin_needed(const Reached& r) {
  return fail(ErrorCode::kBadInput,
              fmt::format("token '{}' needs a PIN: give pin-value or pin-source in the URI, set KBUILD_SIGN_PIN, "
                          "or run sipl on a terminal to be asked",
                          r.token.label),
              Location{r.uri.redacted()});
}

Status need_pin(const Reached& r, const std::optional<std::string>& pin) {
  if (pin || !r.token.login_required) return {};
  return pin_needed(r);
}

Status check_type(const Pkcs11Uri& uri, std::string_view want, std::string_view what) {
  auto type = uri.path_attribute("type");
  if (!type || *type == want) return {};
  return fail(ErrorCode::kUsage, fmt::format("type={} names no {} (use type={} or leave type out)", *type, what, want),
              Location{uri.redacted()});
}

p11::FetchRequest fetch_request(const Reached& r, std::string_view type, const std::optional<std::string>& pin) {
  return {r.uri.object_uri(type), r.module_path, pin, r.uri.redacted()};
}

Result<PrivateKey> fetch_key(const Reached& r, const std::optional<std::string>& pin) {
  const auto req = fetch_request(r, "private", pin);
  auto pkey = r.backend == p11::Backend::kProvider ? p11::provider_load_key(req) : p11::engine_load_key(req);
  if (!pkey) return tl::unexpected(pkey.error());
  return PrivateKeyAccess::adopt(std::move(*pkey), r.uri.redacted());
}

}  // namespace

namespace p11 {

const char* backend_name(Backend b) { return b == Backend::kProvider ? "pkcs11 provider" : "pkcs11 engine"; }

Result<Backend> pick_backend(const std::string& uri, const std::optional<std::string>& module_path) {
  if (provider_available(module_path)) return Backend::kProvider;
  if (engine_available()) return Backend::kEngine;
  return fail(ErrorCode::kUnsupported,
              "OpenSSL has no PKCS#11 support: neither the pkcs11 provider nor the pkcs11 engine loads "
              "(Debian 12: apt-get install libengine-pkcs11-openssl)",
              Location{uri});
}

}  // namespace p11

Result<PrivateKey> load_token_private_key(std::string_view text, const TokenAccess& access) {
  std::optional<std::string> pin;
  Reached r;
  {
    auto reached = reach(text);
    if (!reached) return tl::unexpected(reached.error());
    r = std::move(reached->first);
    const p11::Module& module = reached->second;
    if (auto t = check_type(r.uri, "private", "private key"); !t) return tl::unexpected(t.error());
    auto p = resolve_pin(r, access, true);
    if (!p) return tl::unexpected(p.error());
    pin = std::move(*p);
    if (auto n = need_pin(r, pin); !n) return tl::unexpected(n.error());
    // Logging in here tells a wrong PIN from a missing key, whichever backend signs.
    auto count =
        module.count_objects(r.token, CKO_PRIVATE_KEY, r.uri.path_attribute("object"), r.uri.path_attribute("id"), pin);
    if (!count) return tl::unexpected(count.error());
    if (*count == 0) {
      const std::string sel = object_selector(r.uri);
      return fail(ErrorCode::kBadInput,
                  sel.empty() ? fmt::format("token '{}' holds no private key", r.token.label)
                              : fmt::format("no private key matches {} on token '{}'", sel, r.token.label),
                  Location{r.uri.redacted()});
    }
  }  // the module is finalised here, before OpenSSL initialises it
  return fetch_key(r, pin);
}

Result<Certificate> load_token_certificate(std::string_view text, const TokenAccess& access) {
  std::optional<std::string> pin;
  Reached r;
  {
    auto reached = reach(text);
    if (!reached) return tl::unexpected(reached.error());
    r = std::move(reached->first);
    if (auto t = check_type(r.uri, "cert", "certificate"); !t) return tl::unexpected(t.error());
    auto p = resolve_pin(r, access, false);
    if (!p) return tl::unexpected(p.error());
    pin = std::move(*p);
    // Certificates are public objects: counted without logging in (a login here would also
    // log out the sessions OpenSSL may hold from loading the key).
    auto count = reached->second.count_objects(r.token, CKO_CERTIFICATE, r.uri.path_attribute("object"),
                                               r.uri.path_attribute("id"), std::nullopt);
    if (!count) return tl::unexpected(count.error());
    if (*count == 0) {
      const std::string sel = object_selector(r.uri);
      return fail(ErrorCode::kBadInput,
                  sel.empty() ? fmt::format("token '{}' holds no certificate", r.token.label)
                              : fmt::format("no certificate matches {} on token '{}'", sel, r.token.label),
                  Location{r.uri.redacted()});
    }
  }
  const auto req = fetch_request(r, "cert", pin);
  auto x509 =
      r.backend == p11::Backend::kProvider ? p11::provider_load_certificate(req) : p11::engine_load_certificate(req);
  if (!x509) return tl::unexpected(x509.error());
  unsigned char* der = nullptr;
  const int len = i2d_X509(x509->get(), &der);
  if (len <= 0) return fail(ErrorCode::kInternal, "cannot encode the certificate: " + openssl_errors());
  Bytes bytes(reinterpret_cast<std::byte*>(der), reinterpret_cast<std::byte*>(der) + len);
  OPENSSL_free(der);
  auto cert = Certificate::from_der(bytes);
  if (!cert) {
    Error e = cert.error();
    e.where = Location{r.uri.redacted()};
    return tl::unexpected(e);
  }
  return cert;
}

Result<PrivateKey> load_signing_key(const std::string& path_or_uri, const TokenAccess& access) {
  if (is_pkcs11_uri(path_or_uri)) return load_token_private_key(path_or_uri, access);
  return PrivateKey::load(path_or_uri, access.pin);
}

Result<Certificate> load_signer_certificate(const std::string& path_or_uri, const TokenAccess& access) {
  if (is_pkcs11_uri(path_or_uri)) return load_token_certificate(path_or_uri, access);
  auto bytes = read_file(path_or_uri, 1 << 20);
  if (!bytes) return tl::unexpected(bytes.error());
  auto cert = Certificate::from_pem_or_der(*bytes);
  if (!cert) {
    Error e = cert.error();
    e.where = Location{path_or_uri};
    return tl::unexpected(e);
  }
  return cert;
}

Result<TokenKeyResult> generate_token_key(std::string_view text, KeyType type, const SelfSignedOptions& cert_options,
                                          const TokenAccess& access) {
  std::optional<std::string> pin;
  Reached r;
  std::string label, id;
  {
    auto reached = reach(text);
    if (!reached) return tl::unexpected(reached.error());
    r = std::move(reached->first);
    const p11::Module& module = reached->second;
    const std::string& where = r.uri.redacted();
    if (auto t = check_type(r.uri, "private", "private key"); !t) return tl::unexpected(t.error());
    auto object = r.uri.path_attribute("object");
    if (!object || object->empty())
      return fail(ErrorCode::kUsage, "the URI needs object=LABEL: the label the new key pair gets on the token",
                  Location{where});
    label = *object;
    id = r.uri.path_attribute("id").value_or("");
    auto p = resolve_pin(r, access, true);
    if (!p) return tl::unexpected(p.error());
    pin = std::move(*p);
    if (!pin) return pin_needed(r);  // private token objects are made by the logged-in user only
    auto count = module.count_objects(r.token, CKO_PRIVATE_KEY, label,
                                      id.empty() ? std::nullopt : std::optional<std::string>(id), pin);
    if (!count) return tl::unexpected(count.error());
    if (*count > 0)  // like a --key file that exists: bad input (3), not a usage error
      return fail(ids::kKeygenOutputExists, ErrorCode::kBadInput,
                  fmt::format("token '{}' already holds a private key with {}; refusing to make another (choose "
                              "another object=, or delete the old key with pkcs11-tool --delete-object)",
                              r.token.label, object_selector(r.uri)),
                  Location{where});
    if (auto g = module.generate_key_pair(r.token, {type, label, id}, *pin); !g) return tl::unexpected(g.error());
  }  // finalised before OpenSSL loads the new key
  auto key = fetch_key(r, pin);
  if (!key) return tl::unexpected(key.error());
  auto pem = make_self_signed_certificate(*key, cert_options);
  if (!pem) return tl::unexpected(pem.error());
  auto cert = Certificate::from_pem(as_bytes(*pem));
  if (!cert) return tl::unexpected(cert.error());
  // The module is OpenSSL's now (initialised, logged in): opened again without finalising.
  auto module = p11::Module::open(r.module_path, r.uri.redacted());
  if (!module) return tl::unexpected(module.error());
  const auto* x509 = static_cast<const X509*>(cert->native_handle());
  unsigned char* subject = nullptr;
  const int subject_len = i2d_X509_NAME(X509_get_subject_name(x509), &subject);
  if (subject_len <= 0) return fail(ErrorCode::kInternal, "cannot encode the subject: " + openssl_errors());
  const ByteSpan subject_der(reinterpret_cast<const std::byte*>(subject), static_cast<size_t>(subject_len));
  auto stored = module->store_certificate(r.token, *pin, cert->der(), subject_der, label, id);
  OPENSSL_free(subject);
  if (!stored) return tl::unexpected(stored.error());
  return TokenKeyResult{std::move(*key), std::move(*pem), r.token.label};
}

}  // namespace sipl::crypto
