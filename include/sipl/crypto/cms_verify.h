// Verification of a detached CMS/PKCS#7 SignedData exactly as QEMU's DIAG 0x508 decides it:
// for each candidate certificate, gnutls_pkcs7_verify_direct(sig, cert, 0, data, 0)
// (QEMU crypto/x509-utils.c qcrypto_x509_verify_sig, target/s390x/diag.c). GnuTLS semantics
// replicated (see docs/DECISIONS-verify.md):
//  - signer info #0 only; its signer identifier is NOT matched against the candidate, the
//    candidate's key is simply tried;
//  - the hash is the one the signatureAlgorithm names (sha256WithRSAEncryption,
//    ecdsa-with-SHA384, ...), or the digestAlgorithm when signatureAlgorithm is a bare key
//    algorithm (rsaEncryption, id-ecPublicKey);
//  - signed attributes, when present, must carry a messageDigest equal to the content's hash
//    (and at most one contentType equal to eContentType); the signature then covers their DER;
//  - after the public-key check: validity window at the given time (expired, then not yet
//    valid) and, when the certificate has a keyUsage extension, digitalSignature.
// Fast path: the content is hashed once, each candidate costs one public-key operation.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/crypto/certificate.h"

namespace sipl::crypto {

// What the SignedData says about its signer info #0, for reports.
struct SignatureSummary {
  size_t signer_count = 0;
  size_t certificate_count = 0;   // certificates embedded in the SignedData (ignored by QEMU)
  std::string signer_id;          // "issuer_serial" or "subject_key_id"
  std::string signer_serial_hex;  // for issuer_serial: as Certificate::serial_hex spells it
  std::string signer_key_id_hex;  // for subject_key_id
  std::string digest;             // resolved as GnuTLS does: "sha256", ...; empty if unknown
  std::string key_algorithm;      // "RSA" or "ECDSA"; empty if unknown
  bool signed_attributes = false;
  bool embedded_content = false;
};

enum class CandidateStatus {
  kVerified,
  kNotTried,           // an earlier certificate verified: QEMU stops at the first success
  kSignatureUnusable,  // the signature itself is malformed/unsupported/does not match the content
  kKeyTypeMismatch,    // e.g. RSA certificate, ECDSA signature
  kWrongKey,           // the public-key check failed: another key signed, or bytes corrupted
  kExpired,
  kNotYetValid,
  kKeyUsage,           // keyUsage present without digitalSignature
  kUnsupportedKey,     // neither RSA nor ECDSA
};

// Returns the stable id of a status, e.g. "verify.expired".
const char* to_id(CandidateStatus s);

struct CandidateResult {
  CandidateStatus status = CandidateStatus::kNotTried;
  Finding finding;  // message explains why (or that it verified)
};

// The content's digest(s) computed once, ready for any number of candidates.
struct PreparedContent {
  Bytes to_be_verified_digest;             // hash(content) or hash(signed attributes)
  std::optional<Finding> signature_problem;  // set when no candidate can verify
};

class DetachedSignature {
 public:
  // Returns the parsed SignedData, or kBadInput naming `what` and the byte offset.
  static Result<DetachedSignature> parse(ByteSpan der, const std::string& what);

  // Returns the summary of signer info #0.
  const SignatureSummary& summary() const;
  // Hashes `content` once (digest named by the signature) and checks the signed attributes.
  PreparedContent prepare(ByteSpan content) const;
  // The same for content fed in pieces: `source` calls its sink with consecutive pieces.
  // Returns the source's error (e.g. a failed read), if any.
  Result<PreparedContent> prepare(const std::function<Status(const std::function<void(ByteSpan)>&)>& source) const;
  // Returns GnuTLS's decision for one candidate at time `at`.
  CandidateResult verify_with(const Certificate& candidate, const PreparedContent& prepared, UnixTime at) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

struct VerifyVerdict {
  bool verified = false;
  std::optional<size_t> index;                // 0-based index of the first candidate that verified
  std::optional<SignatureSummary> signature;  // nullopt when the blob does not parse
  Findings findings;                          // signature-level findings (malformed, digest, ...)
  std::vector<CandidateResult> candidates;    // one per candidate, in order
};

// Returns QEMU's verdict for `pkcs7_der` over `content` with the candidates in store order
// (first success wins; the ones after it are kNotTried). A blob that does not parse is a
// finding ("verify.malformed_signature"), never an error: QEMU swallows parse errors.
VerifyVerdict verify_detached(ByteSpan pkcs7_der, ByteSpan content,
                              std::span<const Certificate* const> candidates, UnixTime at);

// Feeds content to a sink in pieces (see DetachedSignature::prepare).
using ContentSource = std::function<Status(const std::function<void(ByteSpan)>&)>;

// verify_detached for content read in pieces: on some hosts hashing from read() buffers is
// twice as fast as from a file mapping (docs/PERFORMANCE-verify.md). Returns the source's
// error if reading fails; the content is not read when the signature cannot verify anyway.
Result<VerifyVerdict> verify_detached(ByteSpan pkcs7_der, const ContentSource& content,
                                      std::span<const Certificate* const> candidates, UnixTime at);

}  // namespace sipl::crypto
