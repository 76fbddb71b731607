// Detached CMS signatures made with the same OpenSSL calls and flags as the kernel's
// scripts/sign-file (checked against linux scripts/sign-file.c): CMS_sign(NOCERTS | PARTIAL |
// BINARY | DETACHED | STREAM), CMS_add1_signer(NOCERTS | BINARY | NOSMIMECAP | NOATTR
// [| USE_KEYID]), CMS_final(NOCERTS | BINARY), i2d_CMS_bio_stream(flags 0) = plain DER.
// Same library, same calls, so RSA output is byte-identical; tests check it against sign-file.
#include "sipl/crypto/cms.h"

#include <climits>

#include <openssl/err.h>

#include "crypto/ossl_ptr.h"

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
  // BIO_new_mem_buf takes an int length; DIAG 0x508 stops at 256 MiB anyway.
  if (content.size() > static_cast<size_t>(INT_MAX))
    return fail(ErrorCode::kLimit, "cannot sign more than 2 GiB");
  auto* x509 = const_cast<X509*>(static_cast<const X509*>(cert.native_handle()));
  auto* pkey = const_cast<EVP_PKEY*>(static_cast<const EVP_PKEY*>(key.native_handle()));
  ERR_clear_error();
  if (X509_check_private_key(x509, pkey) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kBadInput, "the private key does not match the certificate's public key");
  }
  if (options.use_key_id && X509_get0_subject_key_id(x509) == nullptr) {
    ERR_clear_error();
    return fail(ErrorCode::kBadInput,
                "the certificate has no subjectKeyIdentifier extension, so the signer cannot be named by "
                "key id; sign without --key-id (issuer and serial)");
  }
  const EVP_MD* md = EVP_get_digestbyname(std::string(digest_name(options.digest)).c_str());
  if (md == nullptr) return fail(ErrorCode::kUnsupported, "OpenSSL lacks the digest: " + ossl::drain_errors());

  ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr,
                            CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED | CMS_STREAM));
  if (!cms) return fail(ErrorCode::kInternal, "CMS_sign failed: " + ossl::drain_errors());
  unsigned signer_flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_NOATTR;
  if (options.use_key_id) signer_flags |= CMS_USE_KEYID;
  if (CMS_add1_signer(cms.get(), x509, pkey, md, signer_flags) == nullptr)
    return fail(ErrorCode::kInternal, "CMS_add1_signer failed: " + ossl::drain_errors());

  ossl::BioPtr data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  if (!data) return fail(ErrorCode::kInternal, "cannot create a memory BIO: " + ossl::drain_errors());
  if (CMS_final(cms.get(), data.get(), nullptr, CMS_NOCERTS | CMS_BINARY) != 1)
    return fail(ErrorCode::kInternal, "CMS_final failed: " + ossl::drain_errors());

  ossl::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || i2d_CMS_bio_stream(out.get(), cms.get(), nullptr, 0) != 1)
    return fail(ErrorCode::kInternal, "cannot encode the SignedData: " + ossl::drain_errors());
  std::string der = ossl::bio_contents(out.get());
  const auto* p = reinterpret_cast<const std::byte*>(der.data());
  return Bytes(p, p + der.size());
}

}  // namespace sipl::crypto
