// PKCS#11 URIs (RFC 7512), the way `sipl sign --key pkcs11:...` and the kernel's sign-file
// name a key or certificate that lives on a token (PKCS#11: the OASIS Cryptographic Token
// Interface; a token is an HSM, smart card or SoftHSM store; a slot is where it sits).
//
//   pkcs11:token=build%20key;object=kernel-signing;type=private?pin-source=file:/run/pin
//
// Path attributes (`;`-separated) say which token and object; query attributes (`&`-separated
// after `?`) say how to reach it: pin-value, pin-source, module-path. Values are
// percent-decoded. The PIN is never part of what `redacted()` returns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sipl/base/result.h"

namespace sipl::crypto {

// Returns true when `text` starts with the "pkcs11:" scheme (case-insensitive, as RFC 3986).
bool is_pkcs11_uri(std::string_view text);
// Returns `path_or_uri` fit for a message: a pkcs11: URI without its pin-value, anything
// else unchanged.
std::string without_pin(std::string_view path_or_uri);

class Pkcs11Uri {
 public:
  // Returns the parsed URI. Errors (kUsage, naming the URI without its PIN): another
  // scheme, a malformed or repeated attribute, an unknown attribute (only `x-` vendor
  // attributes are free), a bad percent escape, `type` other than private/public/cert/
  // secret-key/data, `module-name` (sipl needs module-path).
  static Result<Pkcs11Uri> parse(std::string_view text);

  // Returns the decoded value of path attribute `name` ("token", "object", "id", ...).
  std::optional<std::string> path_attribute(std::string_view name) const;
  // Returns the decoded `pin-value`, `pin-source` or `module-path` (wherever it was written:
  // libp11 and sign-file users often write `;pin-value=` in the path).
  const std::optional<std::string>& pin_value() const { return pin_value_; }
  const std::optional<std::string>& pin_source() const { return pin_source_; }
  const std::optional<std::string>& module_path() const { return module_path_; }

  // Returns the URI as given, with a pin-value attribute removed: safe for messages.
  const std::string& redacted() const { return redacted_; }
  // Returns "pkcs11:" and the path attributes only (as written, still percent-encoded),
  // with `type=` set to `type` when given: what OpenSSL's engine or provider is handed
  // (the PIN and the module travel separately).
  std::string object_uri(std::optional<std::string_view> type = std::nullopt) const;
  // Returns e.g. "token=sipl-test;object=signkey" (decoded path attributes), for messages.
  std::string describe_object() const;
  // Returns e.g. "token=sipl-test" (the token-selecting path attributes), or "any token".
  std::string describe_token() const;

 private:
  std::vector<std::pair<std::string, std::string>> path_;      // decoded name, value
  std::vector<std::pair<std::string, std::string>> path_raw_;  // as written
  std::optional<std::string> pin_value_, pin_source_, module_path_;
  std::string redacted_;
};

}  // namespace sipl::crypto
