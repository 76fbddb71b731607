// Self-signed code-signing certificates (sipl keygen). Extensions follow the kernel's
// certs/default_x509.genkey; see docs/DECISIONS-sign.md for the additions.
#include "sipl/crypto/self_signed.h"

#include <ctime>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "crypto/ossl_extra.h"

namespace sipl::crypto {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

Status add_ext(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1)
    return fail(ErrorCode::kInternal, fmt::format("cannot add extension {}={}: {}", OBJ_nid2sn(nid), value,
                                                  openssl_errors()));
  return {};
}

const EVP_MD* certificate_digest(const EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
    const int bits = EVP_PKEY_get_bits(pkey);
    if (bits > 384) return EVP_sha512();
    if (bits > 256) return EVP_sha384();
  }
  return EVP_sha256();
}

}  // namespace

Result<std::string> make_self_signed_certificate(const PrivateKey& key, const SelfSignedOptions& o) {
  if (o.days == 0) return fail(ErrorCode::kUsage, "a certificate needs a validity of at least 1 day");
  if (o.common_name.empty() || o.common_name.size() > 64)
    return fail(ErrorCode::kUsage, "the common name must be 1 to 64 characters (X.520 ub-common-name)");
  auto* pkey = const_cast<EVP_PKEY*>(static_cast<const EVP_PKEY*>(key.native_handle()));
  ERR_clear_error();
  X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1)
    return fail(ErrorCode::kInternal, "cannot create a certificate: " + openssl_errors());

  // 16 random bytes with the top bit clear: positive, at most 20 octets (RFC 5280 4.1.2.2).
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    return fail(ErrorCode::kInternal, "no random bytes for the serial: " + openssl_errors());
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7F) | 0x01);
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) == nullptr)
    return fail(ErrorCode::kInternal, "cannot set the serial: " + openssl_errors());

  const int64_t not_after = o.not_before + static_cast<int64_t>(o.days) * kSecondsPerDay;
  if (ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(o.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(not_after)) == nullptr)
    return fail(ErrorCode::kUsage, "the validity window cannot be encoded in a certificate");

  X509NamePtr name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(o.common_name.data()),
                                 static_cast<int>(o.common_name.size()), -1, 0) != 1 ||
      X509_set_subject_name(x.get(), name.get()) != 1 || X509_set_issuer_name(x.get(), name.get()) != 1)
    return fail(ErrorCode::kUsage, "the common name is not valid UTF-8 text: " + openssl_errors());
  if (X509_set_pubkey(x.get(), pkey) != 1)
    return fail(ErrorCode::kInternal, "cannot set the public key: " + openssl_errors());

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  // subjectKeyIdentifier first: the authorityKeyIdentifier of a self-signed certificate is
  // taken from it. "keyid:always" because OpenSSL 3 leaves it out of self-signed ones otherwise.
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_key_usage, "digitalSignature"},
                            std::pair{NID_ext_key_usage, "codeSigning"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto s = add_ext(x.get(), &ctx, nid, value); !s) return tl::unexpected(s.error());
  }

  if (X509_sign(x.get(), pkey, certificate_digest(pkey)) <= 0)
    return fail(ErrorCode::kInternal, "cannot sign the certificate: " + openssl_errors());
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x.get()) != 1)
    return fail(ErrorCode::kInternal, "cannot encode the certificate: " + openssl_errors());
  return bio_contents(bio.get());
}

}  // namespace sipl::crypto
