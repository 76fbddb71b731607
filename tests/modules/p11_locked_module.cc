// A PKCS#11 module for tests: SoftHSM2 (loaded from SIPL_SOFTHSM_MODULE) as a token whose user
// PIN is locked, the state a real token reaches after too many wrong PINs and SoftHSM2 never
// enters by itself. C_GetTokenInfo reports CKF_USER_PIN_LOCKED and C_Login answers
// CKR_PIN_LOCKED; everything else is SoftHSM2's.
#include <dlfcn.h>

#include <p11-kit/pkcs11.h>

namespace {

CK_FUNCTION_LIST g_list;
CK_FUNCTION_LIST* g_real = nullptr;

CK_RV locked_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO* info) {
  CK_RV rv = g_real->C_GetTokenInfo(slot, info);
  if (rv == CKR_OK) info->flags |= CKF_USER_PIN_LOCKED;
  return rv;
}

CK_RV locked_login(CK_SESSION_HANDLE, CK_USER_TYPE, CK_UTF8CHAR*, CK_ULONG) { return CKR_PIN_LOCKED; }

}  // namespace

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST** out) {
  if (g_real == nullptr) {
    void* h = dlopen(SIPL_SOFTHSM_MODULE, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) return CKR_GENERAL_ERROR;
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(h, "C_GetFunctionList"));
    if (get == nullptr || get(&g_real) != CKR_OK) return CKR_GENERAL_ERROR;
    g_list = *g_real;
    g_list.C_GetTokenInfo = locked_token_info;
    g_list.C_Login = locked_login;
  }
  *out = &g_list;
  return CKR_OK;
}
