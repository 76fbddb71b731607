// An OpenSSL provider named "pkcs11" that offers nothing, for tests: where a pkcs11 provider
// loads, sipl must prefer it to libp11's engine (Debian 12 packages no real one). Built as
// fake-provider/pkcs11.so so that OPENSSL_MODULES=<that directory> finds it.
#include <openssl/core.h>
#include <openssl/core_dispatch.h>

namespace {

const OSSL_ALGORITHM* query(void*, int, int* no_cache) {
  *no_cache = 0;
  return nullptr;
}

const OSSL_DISPATCH kDispatch[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<void (*)(void)>(query)},
    {0, nullptr},
};

}  // namespace

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE*,
                                                                          const OSSL_DISPATCH*,
                                                                          const OSSL_DISPATCH** out, void** ctx) {
  *out = kDispatch;
  *ctx = nullptr;
  return 1;
}
