#include "sipl/crypto/certificate.h"

#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/provider.h>

#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "crypto/certificate_impl.h"
#include "crypto/der.h"
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

// Two parses. d2i_X509 decodes every certificate's public key as it parses (OpenSSL 3.0 sets
// up a provider decoder for each key, ~80 % of a parse), but a store of 64 certificates needs
// one key: the one that verifies. So a certificate is parsed first in a library context whose
// only provider is "null": the same ASN.1 templates accept and refuse the same encodings (the
// key decode is opportunistic in d2i_X509, its failure never refuses a certificate), the
// fields are read from it, and the key type and size come from the SubjectPublicKeyInfo's
// algorithm identifier and, for RSA, the modulus' length. Only when the key itself is needed
// (a signature check, native_handle) is the certificate parsed again by d2i_X509 in the
// default context. docs/PERFORMANCE.md (issue 15): 64 certificates 6.0 -> 1.2 ms.
namespace {

OSSL_LIB_CTX* fields_only_context() {
  // Created once and never freed: OpenSSL's own atexit clean-up may run before any static
  // destructor of ours would.
  static OSSL_LIB_CTX* ctx = [] {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
    if (c != nullptr && OSSL_PROVIDER_load(c, "null") == nullptr) {
      OSSL_LIB_CTX_free(c);
      c = nullptr;
    }
    ERR_clear_error();
    return c;
  }();
  return ctx;
}

X509Ptr parse_fields(ByteSpan der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OSSL_LIB_CTX* ctx = fields_only_context();
  X509* x = ctx != nullptr ? reinterpret_cast<X509*>(ASN1_item_d2i_ex(nullptr, &p, static_cast<long>(der.size()),
                                                                        ASN1_ITEM_rptr(X509), ctx, nullptr))
                           : d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  ERR_clear_error();
  return X509Ptr(x);
}

// Bit length of a DER INTEGER that is positive and minimally encoded; 0 otherwise.
int positive_integer_bits(ByteSpan v) {
  if (v.empty() || (std::to_integer<uint8_t>(v[0]) & 0x80) != 0) return 0;
  size_t i = 0;
  if (std::to_integer<uint8_t>(v[0]) == 0) {
    if (v.size() == 1 || (std::to_integer<uint8_t>(v[1]) & 0x80) == 0) return 0;  // zero, or not minimal
    i = 1;
  }
  const auto top = std::to_integer<uint8_t>(v[i]);
  int bits = 0;
  for (unsigned t = top; t != 0; t >>= 1) ++bits;
  return static_cast<int>((v.size() - i - 1) * 8) + bits;
}

// The RSA modulus' bit length from an RSAPublicKey (SEQUENCE { n INTEGER, e INTEGER }, nothing
// after it); 0 when it is not that shape, and the caller asks OpenSSL instead.
int rsa_modulus_bits(ByteSpan rsa_public_key) {
  der::Reader outer(rsa_public_key);
  auto seq = outer.next(der::kSequence);
  if (!seq || seq->indefinite || !outer.empty()) return 0;
  der::Reader in = der::Reader::inside(*seq);
  auto n = in.next(der::kInteger);
  if (!n || n->indefinite) return 0;
  auto e = in.next(der::kInteger);
  if (!e || e->indefinite || !in.empty() || positive_integer_bits(e->value) == 0) return 0;
  return positive_integer_bits(n->value);
}

// A SubjectPublicKeyInfo as the fields-only parse gives it: the algorithm, an EC key's curve
// when the parameters name one, and the subjectPublicKey bits, none of them decoded.
struct SpkiView {
  int algorithm = NID_undef;
  bool ec_explicit = false;            // an EC key whose parameters are not a named curve
  const ASN1_OBJECT* curve = nullptr;  // the named curve of an EC key
  ByteSpan key;
};

SpkiView view_spki(X509* x) {
  SpkiView v;
  const ASN1_OBJECT* alg = nullptr;
  const unsigned char* key = nullptr;
  int key_len = 0;
  X509_ALGOR* params = nullptr;
  if (X509_PUBKEY_get0_param(const_cast<ASN1_OBJECT**>(&alg), &key, &key_len, &params, X509_get_X509_PUBKEY(x)) != 1)
    return v;
  v.algorithm = OBJ_obj2nid(alg);
  if (key != nullptr && key_len > 0) v.key = ByteSpan(reinterpret_cast<const std::byte*>(key), static_cast<size_t>(key_len));
  if (v.algorithm == NID_X9_62_id_ecPublicKey) {
    int ptype = V_ASN1_UNDEF;
    const void* pval = nullptr;
    X509_ALGOR_get0(nullptr, &ptype, &pval, params);
    if (ptype == V_ASN1_OBJECT && pval != nullptr) v.curve = static_cast<const ASN1_OBJECT*>(pval);
    else v.ec_explicit = true;
  }
  return v;
}

// Key kind, type and description from the SubjectPublicKeyInfo alone, for the keys that can
// be described without decoding them: RSA (rsaEncryption) and ECDSA on the NIST curves. False
// for anything else; the caller then decodes the key.
bool describe_without_decoding(const SpkiView& spki, Certificate::Impl& impl) {
  if (spki.algorithm == NID_rsaEncryption) {
    const int bits = rsa_modulus_bits(spki.key);
    if (bits == 0) return false;
    impl.key_algorithm = KeyAlgorithm::kRsa;
    impl.key_description = fmt::format("RSA {}", bits);
    return true;
  }
  if (spki.curve == nullptr || spki.key.empty()) return false;  // not EC, or explicit parameters: OpenSSL names them
  const int nid = OBJ_obj2nid(spki.curve);
  if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1) return false;
  impl.key_algorithm = KeyAlgorithm::kEcdsa;
  impl.key_description = "ECDSA " + curve_label(nid);
  if (nid == NID_secp521r1) impl.key_type = VceKeyType::kEcdsaP521;
  return true;
}

// Why GnuTLS cannot read the key (gnutls_x509_crt_get_pk_ecc_raw and gnutls_x509_crt_get_key_id
// fail): an EC key on a curve outside GnuTLS 3.7's set, or with explicit parameters. "" for
// every other key. Checked against GnuTLS itself in the tests
// (Certificate.GnutlsKeyProblemAgreesWithGnutls).
std::string gnutls_problem_of(const SpkiView& spki) {
  if (spki.ec_explicit)
    return "its EC curve is given by explicit parameters, not named, and GnuTLS reads only named curves";
  if (spki.curve == nullptr) return "";
  switch (OBJ_obj2nid(spki.curve)) {
    case NID_X9_62_prime192v1:
    case NID_secp224r1:
    case NID_X9_62_prime256v1:
    case NID_secp384r1:
    case NID_secp521r1: return "";
    default: {
      char oid[80] = {0};
      OBJ_obj2txt(oid, sizeof oid, spki.curve, 0);
      return fmt::format("GnuTLS does not support its EC curve {}", oid);
    }
  }
}

// The same values from the decoded key (OpenSSL's view), for every other key.
void describe_decoded(const X509* x, Certificate::Impl& impl) {
  EVP_PKEY* key = x != nullptr ? X509_get0_pubkey(x) : nullptr;  // null for unknown algorithms
  if (key == nullptr) {
    ERR_clear_error();
    impl.key_description = "unknown";
  } else if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    impl.key_algorithm = EVP_PKEY_is_a(key, "RSA") ? KeyAlgorithm::kRsa : KeyAlgorithm::kOther;
    impl.key_description = fmt::format("RSA {}", EVP_PKEY_get_bits(key));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t glen = 0;
    int nid = NID_undef;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) == 1)
      nid = OBJ_sn2nid(group) != NID_undef ? OBJ_sn2nid(group) : EC_curve_nist2nid(group);
    impl.key_algorithm = KeyAlgorithm::kEcdsa;
    impl.key_description = "ECDSA " + curve_label(nid);
    if (nid == NID_secp521r1) impl.key_type = VceKeyType::kEcdsaP521;
  } else {
    impl.key_description = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
  }
}

}  // namespace

const X509* Certificate::Impl::full() const {
  std::call_once(full_once_, [this] {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    full_.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
  });
  // d2i_X509 accepts what the first parse accepted; should it not, the fields-only parse
  // stands in (its key is null, which every user of the key reports as unusable).
  return full_ ? full_.get() : fields.get();
}

Result<Certificate> Certificate::from_der(ByteSpan der) {
  if (auto ok = check_der_envelope(der); !ok) {
    Error e = ok.error();
    if (looks_like_pem(der)) e.hint = "PEM detected: this is PEM text, but a DER certificate is expected here";
    return tl::unexpected(std::move(e));
  }
  X509Ptr x = parse_fields(der);
  if (!x) return fail(ErrorCode::kBadInput, kGnutlsAsn1TagError);
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

  auto nb = to_unix(X509_get0_notBefore(x.get()));
  if (!nb) return tl::unexpected(nb.error());
  auto na = to_unix(X509_get0_notAfter(x.get()));
  if (!na) return tl::unexpected(na.error());
  impl->not_before = *nb;
  impl->not_after = *na;
  const SpkiView key_info = view_spki(x.get());
  if (!describe_without_decoding(key_info, *impl)) describe_decoded(impl->full(), *impl);
  impl->gnutls_key_problem = gnutls_problem_of(key_info);
  impl->fields = std::move(x);
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
KeyAlgorithm Certificate::key_algorithm() const { return impl_->key_algorithm; }
const std::string& Certificate::gnutls_key_problem() const { return impl_->gnutls_key_problem; }
std::string Certificate::key_description() const { return impl_->key_description; }
std::string Certificate::subject() const { return name_rfc2253(X509_get_subject_name(impl_->fields.get())); }
std::string Certificate::issuer() const { return name_rfc2253(X509_get_issuer_name(impl_->fields.get())); }
UnixTime Certificate::not_before() const { return impl_->not_before; }
UnixTime Certificate::not_after() const { return impl_->not_after; }
bool Certificate::valid_at(UnixTime t) const { return impl_->not_before <= t && t <= impl_->not_after; }
const void* Certificate::native_handle() const { return impl_->full(); }

bool Certificate::verifies_own_signature() const {
  X509* x = const_cast<X509*>(impl_->full());
  EVP_PKEY* key = X509_get0_pubkey(x);
  const bool ok = key != nullptr && X509_verify(x, key) == 1;
  ERR_clear_error();
  return ok;
}

std::string Certificate::serial_hex() const {
  return crypto::serial_hex(X509_get0_serialNumber(impl_->fields.get()));
}

}  // namespace sipl::crypto
