// The pkcs11 provider (OpenSSL 3's way; e.g. the pkcs11-provider project, packaged from
// Debian 13 on), reached through OSSL_STORE as `openssl pkey -in pkcs11:...` does. The PIN
// is handed over through the store's passphrase UI, never in the URI.
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include <cstdlib>

#include <fmt/format.h>

#include "crypto/pkcs11_backend.h"

namespace sipl::crypto::p11 {
namespace {

using UiMethodPtr = std::unique_ptr<UI_METHOD, Deleter<UI_destroy_method>>;
using StorePtr = std::unique_ptr<OSSL_STORE_CTX, Deleter<OSSL_STORE_close>>;
using StoreInfoPtr = std::unique_ptr<OSSL_STORE_INFO, Deleter<OSSL_STORE_INFO_free>>;

// Answers the provider's PIN question with the PIN sipl resolved (or refuses without one).
int give_pin(UI* ui, UI_STRING* uis) {
  const auto* pin = static_cast<const std::optional<std::string>*>(UI_get0_user_data(ui));
  switch (UI_get_string_type(uis)) {
    case UIT_PROMPT:
    case UIT_VERIFY:
      if (pin == nullptr || !*pin) return 0;
      return UI_set_result(ui, uis, (*pin)->c_str()) == 0 ? 1 : 0;
    default: return 1;
  }
}

template <typename T>
Result<T> load_first(const FetchRequest& r, int expect, const char* what, T (*take)(OSSL_STORE_INFO*)) {
  UiMethodPtr ui(UI_create_method("sipl: PIN"));
  if (!ui) return fail(ErrorCode::kInternal, "cannot create a UI method: " + openssl_errors());
  UI_method_set_reader(ui.get(), give_pin);
  ERR_clear_error();
  StorePtr store(OSSL_STORE_open_ex(r.object_uri.c_str(), nullptr, "provider=pkcs11", ui.get(),
                                    const_cast<std::optional<std::string>*>(&r.pin), nullptr, nullptr, nullptr));
  if (!store)
    return fail(ErrorCode::kBadInput, fmt::format("the pkcs11 provider cannot open the URI: {}", openssl_errors()),
                Location{r.uri});
  OSSL_STORE_expect(store.get(), expect);
  while (!OSSL_STORE_eof(store.get())) {
    StoreInfoPtr info(OSSL_STORE_load(store.get()));
    if (!info) continue;
    if (OSSL_STORE_INFO_get_type(info.get()) != expect) continue;
    T object = take(info.get());
    if (object) return object;
  }
  return fail(ErrorCode::kBadInput, fmt::format("the pkcs11 provider cannot load the {}: {}", what, openssl_errors()),
              Location{r.uri});
}

EvpPkeyPtr take_key(OSSL_STORE_INFO* i) { return EvpPkeyPtr(OSSL_STORE_INFO_get1_PKEY(i)); }
X509Ptr take_cert(OSSL_STORE_INFO* i) { return X509Ptr(OSSL_STORE_INFO_get1_CERT(i)); }

}  // namespace

bool provider_available(const std::optional<std::string>& module_path) {
  static OSSL_PROVIDER* loaded = nullptr;
  if (loaded != nullptr) return true;
  // pkcs11-provider reads its module from PKCS11_PROVIDER_MODULE when its configuration names
  // none: a URI's module-path is passed that way.
  if (module_path) setenv("PKCS11_PROVIDER_MODULE", module_path->c_str(), 1);
  loaded = OSSL_PROVIDER_try_load(nullptr, "pkcs11", 1);
  ERR_clear_error();
  return loaded != nullptr;
}

Result<EvpPkeyPtr> provider_load_key(const FetchRequest& r) {
  return load_first<EvpPkeyPtr>(r, OSSL_STORE_INFO_PKEY, "private key", take_key);
}

Result<X509Ptr> provider_load_certificate(const FetchRequest& r) {
  return load_first<X509Ptr>(r, OSSL_STORE_INFO_CERT, "certificate", take_cert);
}

}  // namespace sipl::crypto::p11
