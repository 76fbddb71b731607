// The pkcs11 engine (libp11's, Debian 12: libengine-pkcs11-openssl), used as the kernel's
// sign-file uses it on OpenSSL < 3 and as `openssl cms -engine pkcs11 -keyform engine` does:
// ENGINE_by_id("pkcs11"), MODULE_PATH, PIN, ENGINE_load_private_key. The ENGINE API is
// deprecated in OpenSSL 3; this file is the only one that uses it, so only here are the
// deprecation warnings silenced.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/engine.h>
#include <openssl/ui.h>

#include <fmt/format.h>

#include "crypto/pkcs11_backend.h"

namespace sipl::crypto::p11 {
namespace {

using EnginePtr = std::unique_ptr<ENGINE, Deleter<ENGINE_free>>;
using UiMethodPtr = std::unique_ptr<UI_METHOD, Deleter<UI_destroy_method>>;

// libp11 asks this for a PIN only when none was set: sipl has already resolved the PIN (and
// prompted, where it may), so it refuses, and OpenSSL's own terminal prompt never runs.
int refuse_pin(UI*, UI_STRING*) { return 0; }
int say_nothing(UI*, UI_STRING*) { return 1; }

UiMethodPtr no_prompt_method() {
  UiMethodPtr m(UI_create_method("sipl: no PIN prompt"));
  if (m) {
    UI_method_set_reader(m.get(), refuse_pin);
    UI_method_set_writer(m.get(), say_nothing);
  }
  return m;
}

// Returns the pkcs11 engine (a structural reference kept for the life of the process), or
// null when OpenSSL cannot load it. Kept: freeing the last reference unloads libp11, whose
// method tables would then be lost (and reported by LeakSanitizer) instead of released.
ENGINE* pkcs11_engine() {
  static ENGINE* const engine = [] {
    ENGINE_load_builtin_engines();
    ERR_clear_error();
    ENGINE* e = ENGINE_by_id("pkcs11");
    ERR_clear_error();
    return e;
  }();
  return engine;
}

// Returns the engine, functionally initialised with the module; the PIN set when given.
Result<EnginePtr> open_engine(const FetchRequest& r) {
  EnginePtr e(pkcs11_engine());
  if (e) ENGINE_up_ref(e.get());  // this reference is released by EnginePtr, the kept one stays
  if (!e) {
    return fail(ErrorCode::kUnsupported,
                "OpenSSL has no PKCS#11 support: neither the pkcs11 provider nor the pkcs11 engine loads "
                "(Debian: apt-get install libengine-pkcs11-openssl)",
                Location{r.uri});
  }
  // libp11 prints its diagnostics on stderr (with the URI it was given); sipl makes its own.
  ENGINE_ctrl_cmd(e.get(), "QUIET", 0, nullptr, nullptr, 0);
  if (ENGINE_ctrl_cmd_string(e.get(), "MODULE_PATH", r.module_path.c_str(), 0) != 1 || ENGINE_init(e.get()) != 1)
    return fail(ErrorCode::kUnsupported,
                fmt::format("the pkcs11 engine cannot use the module {}: {}", r.module_path, openssl_errors()),
                Location{r.uri});
  if (r.pin && ENGINE_ctrl_cmd_string(e.get(), "PIN", r.pin->c_str(), 0) != 1) {
    ENGINE_finish(e.get());
    return fail(ErrorCode::kInternal, "the pkcs11 engine refused the PIN: " + openssl_errors(), Location{r.uri});
  }
  return e;
}

}  // namespace

bool engine_available() { return pkcs11_engine() != nullptr; }

Result<EvpPkeyPtr> engine_load_key(const FetchRequest& r) {
  auto e = open_engine(r);
  if (!e) return tl::unexpected(e.error());
  UiMethodPtr ui = no_prompt_method();
  EvpPkeyPtr key(ENGINE_load_private_key(e->get(), r.object_uri.c_str(), ui.get(), nullptr));
  std::string why = key ? std::string() : openssl_errors();
  ENGINE_finish(e->get());  // the key holds its own reference to the engine
  if (!key) return fail(ErrorCode::kBadInput, "the pkcs11 engine cannot load the private key: " + why, Location{r.uri});
  return key;
}

Result<X509Ptr> engine_load_certificate(const FetchRequest& r) {
  auto e = open_engine(r);
  if (!e) return tl::unexpected(e.error());
  struct {
    const char* s_slot_cert_id;
    X509* cert;
  } params = {r.object_uri.c_str(), nullptr};
  const int ok = ENGINE_ctrl_cmd(e->get(), "LOAD_CERT_CTRL", 0, &params, nullptr, 1);
  std::string why = ok == 1 && params.cert != nullptr ? std::string() : openssl_errors();
  ENGINE_finish(e->get());
  X509Ptr cert(params.cert);
  if (!cert)
    return fail(ErrorCode::kBadInput, "the pkcs11 engine cannot load the certificate: " + why, Location{r.uri});
  return cert;
}

}  // namespace sipl::crypto::p11
