// Keys and certificates on PKCS#11 tokens (HSMs, smart cards, SoftHSM), named by RFC 7512
// URIs (sipl/crypto/pkcs11_uri.h). The key never leaves the token: OpenSSL 3 signs through
// the pkcs11 provider where the system has one, else through libp11's pkcs11 engine (the
// one Debian 12 packages), and the rest of sipl uses the PrivateKey like one from a file.
//
// The PIN comes from the URI's pin-value, else its pin-source (a file), else
// TokenAccess::pin (the CLI passes KBUILD_SIGN_PIN, as sign-file reads it), else
// TokenAccess::ask_pin (the CLI's terminal prompt). It is never part of a message.
// The module is the URI's module-path, else $PKCS11_MODULE_PATH, else p11-kit's proxy.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sipl/base/result.h"
#include "sipl/crypto/certificate.h"
#include "sipl/crypto/private_key.h"
#include "sipl/crypto/self_signed.h"

namespace sipl::crypto {

struct TokenAccess {
  // A PIN to use when the URI carries none (e.g. $KBUILD_SIGN_PIN).
  std::optional<std::string> pin;
  // Asked for the PIN last, with a prompt naming the token; returns nullopt when it cannot
  // ask (no terminal). Empty: never ask.
  std::function<std::optional<std::string>(const std::string& prompt)> ask_pin;
};

// Returns the private key the URI names, usable for signing on the token. Errors (naming the
// URI without its PIN): kUsage for a malformed URI; kUnsupported (exit 4) when OpenSSL has
// no PKCS#11 support or the module cannot be loaded; kBadInput (exit 3) for no such token,
// several matching tokens, a locked or wrong PIN, no PIN to be had, no such key.
Result<PrivateKey> load_token_private_key(std::string_view uri, const TokenAccess& access);
// Returns the certificate object the URI names (never prompts for a PIN). Errors as above.
Result<Certificate> load_token_certificate(std::string_view uri, const TokenAccess& access);

// Returns the key of a PEM file, or of the token when `path_or_uri` is a pkcs11: URI (the
// PEM passphrase is TokenAccess::pin, as for sign-file). What `sipl sign --key` reads.
Result<PrivateKey> load_signing_key(const std::string& path_or_uri, const TokenAccess& access);
// Returns the certificate of a PEM/DER file or of a token object. What `sipl sign --cert` reads.
Result<Certificate> load_signer_certificate(const std::string& path_or_uri, const TokenAccess& access);

struct TokenKeyResult {
  PrivateKey key;               // the new key, on the token
  std::string certificate_pem;  // its self-signed certificate (also stored on the token)
  std::string token_label;
};

// Makes a key pair of `type` on the token the URI names, labelled by its object= (and id=
// when given), then its self-signed certificate (crypto/self_signed.h), which is also stored
// on the token under the same label and id. Errors: as load_token_private_key; kUsage when the
// URI has no object= or the token already holds a key with that label/id.
Result<TokenKeyResult> generate_token_key(std::string_view uri, KeyType type, const SelfSignedOptions& cert,
                                          const TokenAccess& access);

}  // namespace sipl::crypto
