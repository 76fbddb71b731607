// PrivateKey: an EVP_PKEY owned behind a pimpl so no OpenSSL type reaches the public header.
#include "sipl/crypto/private_key.h"

#include <climits>
#include <cstring>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/ossl_extra.h"
#include "crypto/private_key_access.h"
#include "sipl/base/file.h"

namespace sipl::crypto {

struct PrivateKey::Impl {
  EvpPkeyPtr pkey;
};

namespace {

constexpr uint64_t kMaxKeyFileSize = 1 << 20;

struct PassphraseState {
  const std::string* value = nullptr;
  bool asked = false;
};

// Supplies the caller's passphrase once; never falls back to OpenSSL's terminal prompt.
int passphrase_cb(char* buf, int size, int /*rwflag*/, void* u) {
  auto* st = static_cast<PassphraseState*>(u);
  st->asked = true;
  if (st->value == nullptr || st->value->size() >= static_cast<size_t>(size)) return -1;
  std::memcpy(buf, st->value->data(), st->value->size());
  return static_cast<int>(st->value->size());
}

std::string curve_name(const EVP_PKEY* pkey) {
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1)
    return "unknown curve";
  std::string n(name, len);
  if (n == "prime256v1") return "P-256";
  if (n == "secp384r1") return "P-384";
  if (n == "secp521r1") return "P-521";
  return n;
}

}  // namespace

std::optional<KeyType> parse_key_type(std::string_view name) {
  if (name == "rsa2048") return KeyType::kRsa2048;
  if (name == "rsa4096") return KeyType::kRsa4096;
  if (name == "p256") return KeyType::kP256;
  if (name == "p384") return KeyType::kP384;
  if (name == "p521") return KeyType::kP521;
  return std::nullopt;
}

std::string_view key_type_name(KeyType t) {
  switch (t) {
    case KeyType::kRsa2048: return "rsa2048";
    case KeyType::kRsa4096: return "rsa4096";
    case KeyType::kP256: return "p256";
    case KeyType::kP384: return "p384";
    case KeyType::kP521: return "p521";
  }
  return "rsa2048";
}

Result<PrivateKey> PrivateKey::from_pem(ByteSpan pem, const std::string& path,
                                        const std::optional<std::string>& passphrase) {
  if (pem.size() > INT_MAX) return fail(ErrorCode::kLimit, "private key file is too large", Location{path});
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(ErrorCode::kInternal, "cannot create a memory BIO: " + openssl_errors());
  PassphraseState st{passphrase ? &*passphrase : nullptr, false};
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_cb, &st);
  if (raw == nullptr) {
    std::string why = openssl_errors();
    if (st.asked && !passphrase)
      return fail(ErrorCode::kBadInput,
                  "the private key is encrypted; give its passphrase in KBUILD_SIGN_PIN (as for sign-file)",
                  Location{path});
    // OpenSSL's answer to a wrong passphrase is its decoder stack, once per decoder it tried
    // ("bad decrypt; pkcs12 cipherfinal error; bad decrypt; ..."): say what it means, once.
    if (st.asked)
      return fail(ErrorCode::kBadInput,
                  "the passphrase in KBUILD_SIGN_PIN does not decrypt the private key (wrong passphrase)",
                  Location{path});
    return fail(ErrorCode::kBadInput, "no usable PEM private key: " + why, Location{path});
  }
  return PrivateKeyAccess::adopt(EvpPkeyPtr(raw), path);
}

Result<PrivateKey> PrivateKeyAccess::adopt(EvpPkeyPtr pkey, const std::string& where) {
  const int id = EVP_PKEY_get_base_id(pkey.get());
  if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC)
    return fail(ErrorCode::kBadInput,
                fmt::format("unsupported private key type {} (RSA and ECDSA keys can sign)",
                            OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "?"),
                Location{where});
  auto impl = std::make_shared<PrivateKey::Impl>();
  impl->pkey = std::move(pkey);
  PrivateKey k;
  k.impl_ = std::move(impl);
  return k;
}

Result<PrivateKey> PrivateKey::load(const std::string& path, const std::optional<std::string>& passphrase) {
  auto data = read_file(path, kMaxKeyFileSize);
  if (!data) return tl::unexpected(data.error());
  auto key = from_pem(*data, path, passphrase);
  OPENSSL_cleanse(data->data(), data->size());  // the file held secret material
  return key;
}

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  ERR_clear_error();
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::kRsa2048: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)); break;
    case KeyType::kRsa4096: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(4096)); break;
    case KeyType::kP256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::kP384: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::kP521: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
  }
  if (raw == nullptr) return fail(ErrorCode::kInternal, "key generation failed: " + openssl_errors());
  auto impl = std::make_shared<Impl>();
  impl->pkey.reset(raw);
  PrivateKey k;
  k.impl_ = std::move(impl);
  return k;
}

Result<std::string> PrivateKey::to_pkcs8_pem() const {
  ERR_clear_error();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(ErrorCode::kInternal, "cannot encode the private key: " + openssl_errors());
  return bio_contents(bio.get());
}

std::string PrivateKey::description() const {
  const EVP_PKEY* p = impl_->pkey.get();
  if (EVP_PKEY_get_base_id(p) == EVP_PKEY_RSA) return fmt::format("RSA {}", EVP_PKEY_get_bits(p));
  return "ECDSA " + curve_name(p);
}

bool PrivateKey::is_ecdsa() const { return EVP_PKEY_get_base_id(impl_->pkey.get()) == EVP_PKEY_EC; }

const void* PrivateKey::native_handle() const { return impl_->pkey.get(); }

}  // namespace sipl::crypto
