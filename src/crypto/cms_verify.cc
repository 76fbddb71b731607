#include "sipl/crypto/cms_verify.h"

#include <array>
#include <cstring>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/der.h"
#include "crypto/ossl.h"
#include "crypto/serial.h"
#include "crypto/signed_data.h"

namespace sipl::crypto {

enum class KeyAlg { kUnknown, kRsa, kEcdsa };

struct DetachedSignature::Impl {
  Bytes der;
  CmsSignedData sd;
  SignatureSummary summary;
  KeyAlg key_alg = KeyAlg::kUnknown;
  const char* digest = nullptr;  // OpenSSL digest name; nullptr if GnuTLS would not know it
  bool digest_insecure = false;  // MD5: GnuTLS knows it but refuses it
  std::string algorithm_problem;
};

namespace {

struct DigestOid {
  std::string_view oid;
  const char* name;
};
constexpr std::array<DigestOid, 10> kDigests{{
    {"1.3.14.3.2.26", "sha1"},
    {"2.16.840.1.101.3.4.2.4", "sha224"},
    {"2.16.840.1.101.3.4.2.1", "sha256"},
    {"2.16.840.1.101.3.4.2.2", "sha384"},
    {"2.16.840.1.101.3.4.2.3", "sha512"},
    {"2.16.840.1.101.3.4.2.7", "sha3-224"},
    {"2.16.840.1.101.3.4.2.8", "sha3-256"},
    {"2.16.840.1.101.3.4.2.9", "sha3-384"},
    {"2.16.840.1.101.3.4.2.10", "sha3-512"},
    {"1.2.840.113549.2.5", "md5"},
}};

// Signature algorithm OIDs that name their hash (GnuTLS's gnutls_oid_to_sign succeeds).
struct SignOid {
  std::string_view oid;
  KeyAlg alg;
  const char* digest;
};
constexpr std::array<SignOid, 20> kSignOids{{
    {"1.2.840.113549.1.1.4", KeyAlg::kRsa, "md5"},
    {"1.2.840.113549.1.1.5", KeyAlg::kRsa, "sha1"},
    {"1.2.840.113549.1.1.14", KeyAlg::kRsa, "sha224"},
    {"1.2.840.113549.1.1.11", KeyAlg::kRsa, "sha256"},
    {"1.2.840.113549.1.1.12", KeyAlg::kRsa, "sha384"},
    {"1.2.840.113549.1.1.13", KeyAlg::kRsa, "sha512"},
    {"2.16.840.1.101.3.4.3.13", KeyAlg::kRsa, "sha3-224"},
    {"2.16.840.1.101.3.4.3.14", KeyAlg::kRsa, "sha3-256"},
    {"2.16.840.1.101.3.4.3.15", KeyAlg::kRsa, "sha3-384"},
    {"2.16.840.1.101.3.4.3.16", KeyAlg::kRsa, "sha3-512"},
    {"1.2.840.10045.4.1", KeyAlg::kEcdsa, "sha1"},
    {"1.2.840.10045.4.3.1", KeyAlg::kEcdsa, "sha224"},
    {"1.2.840.10045.4.3.2", KeyAlg::kEcdsa, "sha256"},
    {"1.2.840.10045.4.3.3", KeyAlg::kEcdsa, "sha384"},
    {"1.2.840.10045.4.3.4", KeyAlg::kEcdsa, "sha512"},
    {"2.16.840.1.101.3.4.3.9", KeyAlg::kEcdsa, "sha3-224"},
    {"2.16.840.1.101.3.4.3.10", KeyAlg::kEcdsa, "sha3-256"},
    {"2.16.840.1.101.3.4.3.11", KeyAlg::kEcdsa, "sha3-384"},
    {"2.16.840.1.101.3.4.3.12", KeyAlg::kEcdsa, "sha3-512"},
    {"1.2.840.113549.1.1.1", KeyAlg::kRsa, nullptr},  // rsaEncryption: hash from digestAlgorithm
}};
constexpr std::string_view kOidEcPublicKey = "1.2.840.10045.2.1";

const char* digest_for_oid(const std::string& oid) {
  for (const auto& d : kDigests)
    if (d.oid == oid) return d.name;
  return nullptr;
}

const char* key_alg_name(KeyAlg a) {
  switch (a) {
    case KeyAlg::kRsa: return "RSA";
    case KeyAlg::kEcdsa: return "ECDSA";
    default: return "";
  }
}

// GnuTLS's get_signature_info: a signature OID naming a hash wins; a bare key algorithm
// takes the hash from digestAlgorithm.
void resolve_algorithms(DetachedSignature::Impl& im) {
  const CmsSignerInfo& si = *im.sd.signer0;
  for (const auto& s : kSignOids) {
    if (s.oid != si.signature_oid) continue;
    im.key_alg = s.alg;
    im.digest = s.digest ? s.digest : digest_for_oid(si.digest_oid);
    break;
  }
  if (im.key_alg == KeyAlg::kUnknown && si.signature_oid == kOidEcPublicKey) {
    im.key_alg = KeyAlg::kEcdsa;
    im.digest = digest_for_oid(si.digest_oid);
  }
  if (im.key_alg == KeyAlg::kUnknown) {
    im.algorithm_problem = fmt::format("signature algorithm {} is not one QEMU's GnuTLS verifies (RSA PKCS#1 v1.5 or ECDSA)", si.signature_oid);
    im.digest = nullptr;
  } else if (!im.digest) {
    im.algorithm_problem = fmt::format("digest algorithm {} is unknown", si.digest_oid);
  } else if (std::string_view(im.digest) == "md5") {
    im.digest_insecure = true;
    im.algorithm_problem = "the signature uses MD5, which GnuTLS refuses as insecure";
  }
}

bool digest_of(const char* name, ByteSpan data, Bytes& out) {
  const EVP_MD* md = EVP_get_digestbyname(name);
  if (!md) return false;
  out.resize(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md, nullptr) != 1)
    return false;
  out.resize(len);
  return true;
}

// GnuTLS verify_hash_attr: messageDigest must be present and equal; a contentType attribute
// must occur at most once and equal eContentType as encoded.
std::optional<Finding> check_signed_attrs(const CmsSignedData& sd, const CmsSignerInfo& si, ByteSpan content_hash) {
  bool digest_ok = false;
  size_t content_types = 0;
  for (const auto& a : si.signed_attrs) {
    if (a.type_oid == kOidMessageDigestAttr) {
      if (!a.first_value) continue;
      der::Reader r(*a.first_value);
      auto v = r.next(der::kOctetString);
      if (!v || !r.empty())
        return make_finding(Severity::kError, ids::kVerifyMalformedSignature, "the messageDigest attribute is not an OCTET STRING");
      if (v->value.size() == content_hash.size() &&
          std::memcmp(v->value.data(), content_hash.data(), content_hash.size()) == 0)
        digest_ok = true;
    } else if (a.type_oid == kOidContentTypeAttr) {
      if (++content_types > 1)
        return make_finding(Severity::kError, ids::kVerifyMalformedSignature, "the signed attributes carry two contentType attributes");
      ByteSpan v = a.first_value ? *a.first_value : ByteSpan{};
      if (v.size() != sd.econtent_type_tlv.size() ||
          std::memcmp(v.data(), sd.econtent_type_tlv.data(), v.size()) != 0)
        return make_finding(Severity::kError, ids::kVerifyContentTypeMismatch, "the signed contentType attribute differs from the SignedData's content type");
    }
  }
  if (!digest_ok)
    return make_finding(Severity::kError, ids::kVerifyDigestMismatch,
                        "the signed messageDigest attribute does not match the component's digest (the component changed after signing, or it is absent)");
  return std::nullopt;
}

}  // namespace

const char* to_id(CandidateStatus s) {
  switch (s) {
    case CandidateStatus::kVerified: return ids::kVerifyVerified;
    case CandidateStatus::kNotTried: return ids::kVerifyNotTried;
    case CandidateStatus::kSignatureUnusable: return ids::kVerifySignatureUnusable;
    case CandidateStatus::kKeyTypeMismatch: return ids::kVerifyKeyTypeMismatch;
    case CandidateStatus::kWrongKey: return ids::kVerifyWrongKey;
    case CandidateStatus::kExpired: return ids::kVerifyExpired;
    case CandidateStatus::kNotYetValid: return ids::kVerifyNotYetValid;
    case CandidateStatus::kKeyUsage: return ids::kVerifyKeyUsage;
    case CandidateStatus::kUnsupportedKey: return ids::kVerifyUnsupportedKey;
  }
  return ids::kVerifyUnknown;
}

Result<DetachedSignature> DetachedSignature::parse(ByteSpan der, const std::string& what) {
  auto im = std::make_shared<Impl>();
  im->der.assign(der.begin(), der.end());
  auto sd = parse_signed_data(im->der, what);
  if (!sd) return tl::unexpected<Error>(sd.error());
  im->sd = std::move(*sd);
  SignatureSummary& s = im->summary;
  s.signer_count = im->sd.signer_count;
  s.certificate_count = im->sd.certificate_count;
  s.embedded_content = im->sd.has_embedded_content;
  if (im->sd.signer0) {
    const CmsSignerInfo& si = *im->sd.signer0;
    s.signer_id = si.sid_is_key_id ? "subject_key_id" : "issuer_serial";
    if (si.sid_is_key_id) s.signer_key_id_hex = to_hex(si.key_id);
    else s.signer_serial_hex = serial_hex_from_der(si.serial);
    s.signed_attributes = si.signed_attrs_encoding.has_value();
    resolve_algorithms(*im);
    s.key_algorithm = key_alg_name(im->key_alg);
    if (im->digest) s.digest = im->digest;
  }
  DetachedSignature out;
  out.impl_ = std::move(im);
  return out;
}

const SignatureSummary& DetachedSignature::summary() const { return impl_->summary; }

PreparedContent DetachedSignature::prepare(ByteSpan content) const {
  auto p = prepare([content](const std::function<void(ByteSpan)>& sink) -> Status {
    sink(content);
    return {};
  });
  return *p;  // a span source cannot fail
}

Result<PreparedContent> DetachedSignature::prepare(
    const std::function<Status(const std::function<void(ByteSpan)>&)>& source) const {
  PreparedContent p;
  const Impl& im = *impl_;
  if (!im.sd.signer0) {
    p.signature_problem = make_finding(Severity::kError, ids::kVerifyNoSigner, "the SignedData has no signer info");
    return p;
  }
  if (!im.algorithm_problem.empty()) {
    p.signature_problem = make_finding(Severity::kError, ids::kVerifyUnsupportedAlgorithm, im.algorithm_problem);
    return p;
  }
  Bytes content_hash;
  const EVP_MD* md = EVP_get_digestbyname(im.digest);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = md && ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1;
  if (ok) {
    auto fed = source([&](ByteSpan piece) {
      ok = ok && EVP_DigestUpdate(ctx.get(), piece.data(), piece.size()) == 1;
    });
    if (!fed) return tl::unexpected(fed.error());
    content_hash.resize(EVP_MAX_MD_SIZE);
    unsigned len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(content_hash.data()), &len) == 1;
    content_hash.resize(len);
  }
  if (!ok) {
    p.signature_problem = make_finding(Severity::kError, ids::kVerifyUnsupportedAlgorithm,
                                       fmt::format("digest {} is not available in this OpenSSL", im.digest));
    return p;
  }
  const CmsSignerInfo& si = *im.sd.signer0;
  if (!si.signed_attrs_encoding) {
    p.to_be_verified_digest = std::move(content_hash);
    return p;
  }
  if (auto f = check_signed_attrs(im.sd, si, content_hash)) {
    p.signature_problem = std::move(f);
    return p;
  }
  // The signature covers the attributes as an explicit SET OF (RFC 5652 §5.4), in the DER
  // form GnuTLS re-encodes them to.
  digest_of(im.digest, si.signed_attrs_der, p.to_be_verified_digest);
  return p;
}

CandidateResult DetachedSignature::verify_with(const Certificate& cert, const PreparedContent& prepared, UnixTime at) const {
  const Impl& im = *impl_;
  CandidateResult r;
  auto done = [&](CandidateStatus st, std::string msg) {
    r.status = st;
    r.finding = make_finding(st == CandidateStatus::kVerified ? Severity::kInfo : Severity::kError, to_id(st), std::move(msg));
    return r;
  };
  if (prepared.signature_problem) return done(CandidateStatus::kSignatureUnusable, prepared.signature_problem->message);

  // GnuTLS imports the signer certificate's key before anything else and cannot read some
  // that OpenSSL can (an EC curve outside its set): QEMU never verifies with such a key.
  if (!cert.gnutls_key_problem().empty())
    return done(CandidateStatus::kUnsupportedKey,
                fmt::format("QEMU cannot read the certificate's public key ({})", cert.gnutls_key_problem()));
  // The key's kind comes from the certificate's SubjectPublicKeyInfo, so a store's other
  // certificates are told apart without decoding their keys; only a key of the signature's
  // kind is decoded (Certificate::native_handle).
  KeyAlg cert_alg = KeyAlg::kUnknown;
  if (cert.key_algorithm() == KeyAlgorithm::kRsa) cert_alg = KeyAlg::kRsa;
  else if (cert.key_algorithm() == KeyAlgorithm::kEcdsa) cert_alg = KeyAlg::kEcdsa;
  X509* x = nullptr;
  EVP_PKEY* pkey = nullptr;
  if (cert_alg == KeyAlg::kUnknown || cert_alg == im.key_alg) {
    x = const_cast<X509*>(static_cast<const X509*>(cert.native_handle()));
    pkey = X509_get0_pubkey(x);
    if (!pkey) {
      ERR_clear_error();
      return done(CandidateStatus::kUnsupportedKey, "the certificate's public key cannot be used");
    }
  }
  if (cert_alg == KeyAlg::kUnknown)
    return done(CandidateStatus::kUnsupportedKey, fmt::format("the certificate's {} key cannot verify an {} signature", cert.key_description(), key_alg_name(im.key_alg)));
  if (cert_alg != im.key_alg)
    return done(CandidateStatus::kKeyTypeMismatch, fmt::format("the certificate has an {} key but the signature is {}", cert.key_description(), key_alg_name(im.key_alg)));

  const Bytes& md = prepared.to_be_verified_digest;
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey, nullptr));
  bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1;
  if (ok && cert_alg == KeyAlg::kRsa) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_get_digestbyname(im.digest)) == 1;
  }
  const CmsSignerInfo& si = *im.sd.signer0;
  ok = ok && EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(si.signature.data()), si.signature.size(),
                             reinterpret_cast<const unsigned char*>(md.data()), md.size()) == 1;
  if (!ok)
    return done(CandidateStatus::kWrongKey,
                "the signature does not verify with this certificate's key (signed with another key, or the component or signature was altered)");

  // GnuTLS checks the signer certificate only after the signature verified.
  if (at > cert.not_after())
    return done(CandidateStatus::kExpired, fmt::format("the certificate expired at {} (checked at {})", format_time(cert.not_after()), format_time(at)));
  if (at < cert.not_before())
    return done(CandidateStatus::kNotYetValid, fmt::format("the certificate is not valid before {} (checked at {})", format_time(cert.not_before()), format_time(at)));
  if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE))
    return done(CandidateStatus::kKeyUsage, "the certificate's keyUsage extension lacks digitalSignature");
  return done(CandidateStatus::kVerified, "the signature verifies with this certificate");
}

Result<VerifyVerdict> verify_detached(ByteSpan pkcs7_der, const ContentSource& content,
                                      std::span<const Certificate* const> candidates, UnixTime at) {
  VerifyVerdict v;
  auto sig = DetachedSignature::parse(pkcs7_der, "signature");
  if (!sig) {
    Finding f = make_finding(Severity::kError, ids::kVerifyMalformedSignature, sig.error().to_string());
    v.findings.push_back(f);
    for (size_t i = 0; i < candidates.size(); ++i)
      v.candidates.push_back({CandidateStatus::kSignatureUnusable, make_finding(Severity::kError, to_id(CandidateStatus::kSignatureUnusable), f.message)});
    return v;
  }
  v.signature = sig->summary();
  auto prepared_or = sig->prepare(content);
  if (!prepared_or) return tl::unexpected(prepared_or.error());
  const PreparedContent& prepared = *prepared_or;
  if (prepared.signature_problem) v.findings.push_back(*prepared.signature_problem);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (v.verified) {
      v.candidates.push_back({CandidateStatus::kNotTried, make_finding(Severity::kInfo, to_id(CandidateStatus::kNotTried),
                                                                        "not tried: an earlier certificate verified the signature")});
      continue;
    }
    v.candidates.push_back(sig->verify_with(*candidates[i], prepared, at));
    if (v.candidates.back().status == CandidateStatus::kVerified) {
      v.verified = true;
      v.index = i;
    }
  }
  // When no certificate even holds the right key, say it once in the user's terms.
  bool no_key = !v.verified && !prepared.signature_problem;
  for (const auto& c : v.candidates)
    no_key = no_key && (c.status == CandidateStatus::kWrongKey || c.status == CandidateStatus::kKeyTypeMismatch ||
                        c.status == CandidateStatus::kUnsupportedKey);
  if (no_key) {
    const SignatureSummary& s = *v.signature;
    std::string who = s.signer_id == "subject_key_id" ? "subject key id " + s.signer_key_id_hex : "serial " + s.signer_serial_hex;
    v.findings.push_back(make_finding(Severity::kError, ids::kVerifySignerNotInStore,
                                      fmt::format("no certificate in the store verifies the signature: the signer ({}) is "
                                                  "not in the store, or the component or signature changed after signing",
                                                  who)));
  }
  return v;
}


VerifyVerdict verify_detached(ByteSpan pkcs7_der, ByteSpan content, std::span<const Certificate* const> candidates,
                              UnixTime at) {
  auto v = verify_detached(
      pkcs7_der,
      [content](const std::function<void(ByteSpan)>& sink) -> Status {
        sink(content);
        return {};
      },
      candidates, at);
  return *v;  // a span source cannot fail
}

}  // namespace sipl::crypto
