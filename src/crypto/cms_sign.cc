// Detached CMS signatures made with the same OpenSSL calls and flags as the kernel's
// scripts/sign-file (checked against linux scripts/sign-file.c): CMS_sign(NOCERTS | PARTIAL |
// BINARY | DETACHED | STREAM), CMS_add1_signer(NOCERTS | BINARY | NOSMIMECAP | NOATTR
// [| USE_KEYID]), CMS_final(NOCERTS | BINARY), i2d_CMS_bio_stream(flags 0) = plain DER.
// CMS_final is CMS_dataInit + a copy of the content (raw with CMS_BINARY) + CMS_dataFinal;
// sipl makes those three steps itself so the content can come in pieces (file + SCLAB)
// without a joined copy. RSA output is byte-identical; tests check it against sign-file.
#include "sipl/crypto/cms.h"

#include <algorithm>

#include <openssl/err.h>

#include "crypto/ossl_extra.h"
#include "sipl/base/diagnostic_ids.h"

namespace sipl::crypto {

std::optional<Digest> parse_digest(std::string_view name) {
  if (name == "sha256") return Digest::kSha256;
  if (name == "sha384") return Digest::kSha384;
  if (name == "sha512") return Digest::kSha512;
  return std::nullopt;
}

std::string_view digest_name(Digest d) {
  switch (d) {
    case Digest::kSha256: return "sha256";
    case Digest::kSha384: return "sha384";
    case Digest::kSha512: return "sha512";
  }
  return "sha256";
}

Result<Bytes> sign_detached_cms(ByteSpan content, const PrivateKey& key, const Certificate& cert,
                                const CmsSignOptions& options) {
  return sign_detached_cms(std::span<const ByteSpan>(&content, 1), key, cert, options);
}

Result<Bytes> sign_detached_cms(std::span<const ByteSpan> pieces, const PrivateKey& key, const Certificate& cert,
                                const CmsSignOptions& options) {
  auto* x509 = const_cast<X509*>(static_cast<const X509*>(cert.native_handle()));
  auto* pkey = const_cast<EVP_PKEY*>(static_cast<const EVP_PKEY*>(key.native_handle()));
  ERR_clear_error();
  if (X509_check_private_key(x509, pkey) != 1) {
    ERR_clear_error();
    return fail(ids::kSignKeyCertificateMismatch, ErrorCode::kBadInput,
                "the private key does not match the certificate's public key");
  }
  if (options.use_key_id && X509_get0_subject_key_id(x509) == nullptr) {
    ERR_clear_error();
    return fail(ErrorCode::kBadInput,
                "the certificate has no subjectKeyIdentifier extension, so the signer cannot be named by "
                "key id; sign without --key-id (issuer and serial)");
  }
  const EVP_MD* md = EVP_get_digestbyname(std::string(digest_name(options.digest)).c_str());
  if (md == nullptr) return fail(ErrorCode::kUnsupported, "OpenSSL lacks the digest: " + openssl_errors());

  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr,
                            CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED | CMS_STREAM));
  if (!cms) return fail(ErrorCode::kInternal, "CMS_sign failed: " + openssl_errors());
  unsigned signer_flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_NOATTR;
  if (options.use_key_id) signer_flags |= CMS_USE_KEYID;
  if (CMS_add1_signer(cms.get(), x509, pkey, md, signer_flags) == nullptr)
    return fail(ErrorCode::kInternal, "CMS_add1_signer failed: " + openssl_errors());

  BIO* sink = CMS_dataInit(cms.get(), nullptr);
  if (sink == nullptr) return fail(ErrorCode::kInternal, "CMS_dataInit failed: " + openssl_errors());
  BioPtr sink_owner(sink);
  for (ByteSpan piece : pieces) {
    // BIO_write takes an int length: feed large pieces in 1 MiB slices.
    for (size_t off = 0; off < piece.size();) {
      const size_t n = std::min<size_t>(piece.size() - off, 1 << 20);
      if (BIO_write(sink, piece.data() + off, static_cast<int>(n)) != static_cast<int>(n))
        return fail(ErrorCode::kInternal, "cannot digest the content: " + openssl_errors());
      off += n;
    }
  }
  (void)BIO_flush(sink);
  if (CMS_dataFinal(cms.get(), sink) != 1)
    return fail(ErrorCode::kInternal, "CMS_dataFinal failed: " + openssl_errors());

  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || i2d_CMS_bio_stream(out.get(), cms.get(), nullptr, 0) != 1)
    return fail(ErrorCode::kInternal, "cannot encode the SignedData: " + openssl_errors());
  std::string der = bio_contents(out.get());
  const auto* p = reinterpret_cast<const std::byte*>(der.data());
  return Bytes(p, p + der.size());
}

}  // namespace sipl::crypto
