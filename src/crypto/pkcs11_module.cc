// PKCS#11 spoken directly through the module's function list (p11-kit's pkcs11.h).
#include "crypto/pkcs11_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <p11-kit/pkcs11.h>

#include "sipl/base/diagnostic_ids.h"

namespace sipl::crypto::p11 {

struct Module::Impl {
  void* handle = nullptr;
  CK_FUNCTION_LIST* f = nullptr;
  bool finalize = false;
  ~Impl() {
    if (f != nullptr && finalize) f->C_Finalize(nullptr);
    if (handle != nullptr) dlclose(handle);
  }
};

namespace {

// A fixed-width, blank-padded CK_UTF8CHAR field as a string without the padding.
template <size_t N>
std::string field(const CK_UTF8CHAR (&f)[N]) {
  std::string s(reinterpret_cast<const char*>(f), N);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// An open session, closed (and logged out) when it goes.
class Session {
 public:
  Session(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE h) : f_(f), h_(h) {}
  ~Session() {
    if (logged_in_) f_->C_Logout(h_);
    f_->C_CloseSession(h_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  CK_SESSION_HANDLE get() const { return h_; }
  CK_RV login(const std::string& pin) {
    CK_RV rv = f_->C_Login(h_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.data())), pin.size());
    if (rv == CKR_USER_ALREADY_LOGGED_IN) return CKR_OK;
    logged_in_ = rv == CKR_OK;
    return rv;
  }

 private:
  CK_FUNCTION_LIST* f_;
  CK_SESSION_HANDLE h_;
  bool logged_in_ = false;
};

// EC curve OIDs (DER) for CKA_EC_PARAMS.
Bytes ec_params(KeyType t) {
  auto b = [](std::initializer_list<unsigned> v) {
    Bytes out;
    for (unsigned x : v) out.push_back(static_cast<std::byte>(x));
    return out;
  };
  switch (t) {
    case KeyType::kP256: return b({0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07});
    case KeyType::kP384: return b({0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22});
    case KeyType::kP521: return b({0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23});
    default: return {};
  }
}

}  // namespace

std::string default_module_path() { return "p11-kit-proxy.so"; }

std::string module_path_for(const Pkcs11Uri& uri) {
  if (uri.module_path()) return *uri.module_path();
  if (const char* env = std::getenv("PKCS11_MODULE_PATH"); env != nullptr && *env != '\0') return env;
  return default_module_path();
}

bool token_matches(const Pkcs11Uri& uri, const TokenInfo& t) {
  auto same = [&uri](const char* name, const std::string& have) {
    auto want = uri.path_attribute(name);
    return !want || *want == have;
  };
  return same("token", t.label) && same("manufacturer", t.manufacturer) && same("model", t.model) &&
         same("serial", t.serial) && same("slot-description", t.slot_description) &&
         same("slot-manufacturer", t.slot_manufacturer) && same("slot-id", std::to_string(t.slot_id));
}

Result<Module> Module::open(const std::string& path, const std::string& uri) {
  Module m;
  m.path_ = path;
  m.uri_ = uri;
  m.impl_ = std::make_unique<Impl>();
  dlerror();
  m.impl_->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (m.impl_->handle == nullptr) {
    const char* why = dlerror();
    return fail(ErrorCode::kUnsupported,
                fmt::format("cannot load the PKCS#11 module {}: {}", path, why ? why : "dlopen failed"), Location{uri});
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(m.impl_->handle, "C_GetFunctionList"));
  CK_FUNCTION_LIST* f = nullptr;
  if (get_list == nullptr || get_list(&f) != CKR_OK || f == nullptr)
    return fail(ErrorCode::kUnsupported, fmt::format("{} is not a PKCS#11 module (no C_GetFunctionList)", path),
                Location{uri});
  CK_RV rv = f->C_Initialize(nullptr);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
    return fail(ErrorCode::kUnsupported,
                fmt::format("the PKCS#11 module {} failed to initialise ({})", path, ckr_name(rv)), Location{uri});
  m.impl_->f = f;
  m.impl_->finalize = rv == CKR_OK;  // finalise only what this object initialised (not the engine's)
  return m;
}

Module::~Module() = default;
Module::Module(Module&&) noexcept = default;
Module& Module::operator=(Module&&) noexcept = default;

Result<std::vector<TokenInfo>> Module::tokens() const {
  CK_FUNCTION_LIST* f = impl_->f;
  CK_ULONG n = 0;
  CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &n);
  std::vector<CK_SLOT_ID> slots(n);
  if (rv == CKR_OK && n > 0) rv = f->C_GetSlotList(CK_TRUE, slots.data(), &n);
  if (rv != CKR_OK)
    return fail(ErrorCode::kBadInput,
                fmt::format("the PKCS#11 module {} cannot list its slots ({})", path_, ckr_name(rv)), Location{uri_});
  slots.resize(n);
  std::vector<TokenInfo> out;
  for (CK_SLOT_ID s : slots) {
    CK_SLOT_INFO si{};
    CK_TOKEN_INFO ti{};
    if (f->C_GetSlotInfo(s, &si) != CKR_OK || f->C_GetTokenInfo(s, &ti) != CKR_OK) continue;
    TokenInfo t;
    t.slot_id = s;
    t.slot_description = field(si.slotDescription);
    t.slot_manufacturer = field(si.manufacturerID);
    t.label = field(ti.label);
    t.manufacturer = field(ti.manufacturerID);
    t.model = field(ti.model);
    t.serial = field(ti.serialNumber);
    t.initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
    t.login_required = (ti.flags & CKF_LOGIN_REQUIRED) != 0;
    t.user_pin_initialized = (ti.flags & CKF_USER_PIN_INITIALIZED) != 0;
    t.user_pin_locked = (ti.flags & CKF_USER_PIN_LOCKED) != 0;
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

Result<std::unique_ptr<Session>> open_session(CK_FUNCTION_LIST* f, const TokenInfo& token,
                                              const std::optional<std::string>& pin, const std::string& uri) {
  CK_SESSION_HANDLE h = 0;
  CK_RV rv = f->C_OpenSession(token.slot_id, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h);
  if (rv != CKR_OK)
    return fail(ErrorCode::kBadInput,
                fmt::format("cannot open a session with token '{}' ({})", token.label, ckr_name(rv)), Location{uri});
  auto s = std::make_unique<Session>(f, h);
  if (pin) {
    rv = s->login(*pin);
    if (rv == CKR_PIN_INCORRECT)
      return fail(ids::kPkcs11PinIncorrect, ErrorCode::kBadInput,
                  fmt::format("token '{}' rejected the PIN (CKR_PIN_INCORRECT)", token.label), Location{uri});
    if (rv == CKR_PIN_LOCKED)
      return fail(ids::kPkcs11PinLocked, ErrorCode::kBadInput,
                  fmt::format("the user PIN of token '{}' is locked (CKR_PIN_LOCKED); the security officer can unlock it",
                              token.label),
                  Location{uri});
    if (rv != CKR_OK)
      return fail(ErrorCode::kBadInput, fmt::format("cannot log in to token '{}' ({})", token.label, ckr_name(rv)),
                  Location{uri});
  }
  return s;
}

}  // namespace

Result<size_t> Module::count_objects(const TokenInfo& token, unsigned long object_class,
                                     const std::optional<std::string>& label, const std::optional<std::string>& id,
                                     const std::optional<std::string>& pin) const {
  CK_FUNCTION_LIST* f = impl_->f;
  auto s = open_session(f, token, pin, uri_);
  if (!s) return tl::unexpected(s.error());
  CK_OBJECT_CLASS cls = object_class;
  std::vector<CK_ATTRIBUTE> t = {{CKA_CLASS, &cls, sizeof cls}};
  if (label) t.push_back({CKA_LABEL, const_cast<char*>(label->data()), label->size()});
  if (id) t.push_back({CKA_ID, const_cast<char*>(id->data()), id->size()});
  CK_RV rv = f->C_FindObjectsInit((*s)->get(), t.data(), t.size());
  size_t count = 0;
  if (rv == CKR_OK) {
    CK_OBJECT_HANDLE objs[16];
    CK_ULONG n = 0;
    while ((rv = f->C_FindObjects((*s)->get(), objs, 16, &n)) == CKR_OK && n > 0) count += n;
    f->C_FindObjectsFinal((*s)->get());
  }
  if (rv != CKR_OK)
    return fail(ErrorCode::kBadInput, fmt::format("cannot search token '{}' ({})", token.label, ckr_name(rv)),
                Location{uri_});
  return count;
}

Status Module::generate_key_pair(const TokenInfo& token, const KeyPairRequest& r, const std::string& pin) const {
  CK_FUNCTION_LIST* f = impl_->f;
  auto s = open_session(f, token, pin, uri_);
  if (!s) return tl::unexpected(s.error());
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG bits = r.type == KeyType::kRsa4096 ? 4096 : 2048;
  CK_BYTE exponent[] = {0x01, 0x00, 0x01};
  const Bytes params = ec_params(r.type);
  const bool rsa = params.empty();
  CK_MECHANISM mech = {rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  auto* label = const_cast<char*>(r.label.data());
  auto* id = const_cast<char*>(r.id.data());
  std::vector<CK_ATTRIBUTE> pub = {
      {CKA_TOKEN, &yes, sizeof yes}, {CKA_VERIFY, &yes, sizeof yes}, {CKA_LABEL, label, r.label.size()}};
  std::vector<CK_ATTRIBUTE> priv = {{CKA_TOKEN, &yes, sizeof yes},     {CKA_PRIVATE, &yes, sizeof yes},
                                    {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
                                    {CKA_SIGN, &yes, sizeof yes},      {CKA_LABEL, label, r.label.size()}};
  if (!r.id.empty()) {
    pub.push_back({CKA_ID, id, r.id.size()});
    priv.push_back({CKA_ID, id, r.id.size()});
  }
  if (rsa) {
    pub.push_back({CKA_MODULUS_BITS, &bits, sizeof bits});
    pub.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof exponent});
  } else {
    pub.push_back({CKA_EC_PARAMS, const_cast<std::byte*>(params.data()), params.size()});
  }
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  CK_RV rv = f->C_GenerateKeyPair((*s)->get(), &mech, pub.data(), pub.size(), priv.data(), priv.size(), &hpub, &hpriv);
  if (rv != CKR_OK)
    return fail(
        ErrorCode::kBadInput,
        fmt::format("token '{}' cannot make a {} key pair ({})", token.label, key_type_name(r.type), ckr_name(rv)),
        Location{uri_});
  return {};
}

Status Module::store_certificate(const TokenInfo& token, const std::string& pin, ByteSpan der, ByteSpan subject_der,
                                 const std::string& label, const std::string& id) const {
  CK_FUNCTION_LIST* f = impl_->f;
  auto s = open_session(f, token, pin, uri_);
  if (!s) return tl::unexpected(s.error());
  CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  std::vector<CK_ATTRIBUTE> t = {{CKA_CLASS, &cls, sizeof cls},
                                 {CKA_CERTIFICATE_TYPE, &type, sizeof type},
                                 {CKA_TOKEN, &yes, sizeof yes},
                                 {CKA_PRIVATE, &no, sizeof no},
                                 {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
                                 {CKA_SUBJECT, const_cast<std::byte*>(subject_der.data()), subject_der.size()},
                                 {CKA_VALUE, const_cast<std::byte*>(der.data()), der.size()}};
  if (!id.empty()) t.push_back({CKA_ID, const_cast<char*>(id.data()), id.size()});
  CK_OBJECT_HANDLE h = 0;
  CK_RV rv = f->C_CreateObject((*s)->get(), t.data(), t.size(), &h);
  if (rv != CKR_OK)
    return fail(ErrorCode::kBadInput,
                fmt::format("token '{}' cannot store the certificate ({})", token.label, ckr_name(rv)), Location{uri_});
  return {};
}

std::string ckr_name(unsigned long rv) {
  switch (rv) {
    case CKR_OK: return "CKR_OK";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_INVALID: return "CKR_PIN_INVALID";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_SESSION_READ_ONLY: return "CKR_SESSION_READ_ONLY";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_TOKEN_WRITE_PROTECTED: return "CKR_TOKEN_WRITE_PROTECTED";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
    case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_TEMPLATE_INCOMPLETE: return "CKR_TEMPLATE_INCOMPLETE";
    case CKR_DOMAIN_PARAMS_INVALID: return "CKR_DOMAIN_PARAMS_INVALID";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    default: return fmt::format("CKR 0x{:08x}", rv);
  }
}

}  // namespace sipl::crypto::p11
