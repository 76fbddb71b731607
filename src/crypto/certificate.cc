#include "sipl/crypto/certificate.h"

#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "crypto/certificate_impl.h"
#include "crypto/pem.h"
#include "crypto/serial.h"

namespace sipl::crypto {
namespace {

Sha256 sha256(ByteSpan data) {
  Sha256 out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(),
             nullptr);
  return out;
}

Result<UnixTime> to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1)
    return fail(ErrorCode::kBadInput, "certificate has an unreadable validity time");
  return static_cast<UnixTime>(timegm(&tm));
}

std::string curve_label(int nid) {
  switch (nid) {
    case NID_X9_62_prime256v1: return "P-256";
    case NID_secp384r1: return "P-384";
    case NID_secp521r1: return "P-521";
    default: return OBJ_nid2sn(nid) ? OBJ_nid2sn(nid) : "unknown curve";
  }
}

std::string name_rfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

Result<Certificate> Certificate::from_der(ByteSpan der) {
  if (auto ok = check_der_envelope(der); !ok) {
    Error e = ok.error();
    if (looks_like_pem(der)) e.hint = "PEM detected: this is PEM text, but a DER certificate is expected here";
    return tl::unexpected(std::move(e));
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    ERR_clear_error();
    return fail(ErrorCode::kBadInput, kGnutlsAsn1TagError);
  }
  auto impl = std::make_shared<Impl>();
  // OpenSSL keeps the received encoding: i2d returns these exact bytes, as GnuTLS's export does.
  impl->der.assign(der.begin(), der.end());
  impl->fingerprint = sha256(impl->der);

  unsigned char* spki = nullptr;
  int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x.get()), &spki);
  if (spki_len <= 0) {
    ERR_clear_error();
    return fail(ErrorCode::kBadInput, "certificate has an unreadable public key");
  }
  impl->key_id = sha256(ByteSpan(reinterpret_cast<const std::byte*>(spki), static_cast<size_t>(spki_len)));
  OPENSSL_free(spki);

  EVP_PKEY* key = X509_get0_pubkey(x.get());  // may be null for unknown algorithms
  if (key == nullptr) {
    ERR_clear_error();
    impl->key_description = "unknown";
  } else if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    impl->key_description = fmt::format("RSA {}", EVP_PKEY_get_bits(key));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t glen = 0;
    int nid = NID_undef;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) == 1)
      nid = OBJ_sn2nid(group) != NID_undef ? OBJ_sn2nid(group) : EC_curve_nist2nid(group);
    impl->key_description = "ECDSA " + curve_label(nid);
    if (nid == NID_secp521r1) impl->key_type = VceKeyType::kEcdsaP521;
  } else {
    impl->key_description = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
  }

  auto nb = to_unix(X509_get0_notBefore(x.get()));
  if (!nb) return tl::unexpected(nb.error());
  auto na = to_unix(X509_get0_notAfter(x.get()));
  if (!na) return tl::unexpected(na.error());
  impl->not_before = *nb;
  impl->not_after = *na;
  impl->x509 = std::move(x);
  Certificate c;
  c.impl_ = std::move(impl);
  return c;
}

Result<Certificate> Certificate::from_pem(ByteSpan pem) {
  auto der = pem_certificate_body(pem);
  if (!der) return tl::unexpected(der.error());
  return from_der(*der);
}

Result<Certificate> Certificate::from_pem_or_der(ByteSpan data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.find("-----BEGIN") != std::string_view::npos) return from_pem(data);
  return from_der(data);
}

const Bytes& Certificate::der() const { return impl_->der; }
const Sha256& Certificate::fingerprint_sha256() const { return impl_->fingerprint; }
const Sha256& Certificate::key_id_sha256() const { return impl_->key_id; }
VceKeyType Certificate::key_type() const { return impl_->key_type; }
std::string Certificate::key_description() const { return impl_->key_description; }
std::string Certificate::subject() const { return name_rfc2253(X509_get_subject_name(impl_->x509.get())); }
std::string Certificate::issuer() const { return name_rfc2253(X509_get_issuer_name(impl_->x509.get())); }
UnixTime Certificate::not_before() const { return impl_->not_before; }
UnixTime Certificate::not_after() const { return impl_->not_after; }
bool Certificate::valid_at(UnixTime t) const { return impl_->not_before <= t && t <= impl_->not_after; }
const void* Certificate::native_handle() const { return impl_->x509.get(); }

bool Certificate::verifies_own_signature() const {
  EVP_PKEY* key = X509_get0_pubkey(impl_->x509.get());
  const bool ok = key != nullptr && X509_verify(impl_->x509.get(), key) == 1;
  ERR_clear_error();
  return ok;
}

std::string Certificate::serial_hex() const {
  return crypto::serial_hex(X509_get0_serialNumber(impl_->x509.get()));
}

}  // namespace sipl::crypto
