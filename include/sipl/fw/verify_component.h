// Would the guest's certificate store verify this signed file when the s390-ccw BIOS hands it
// to DIAG 0x508? The component is what zipl puts on the disk from a sign-file-signed file: the
// payload before the appended signature (or, with a detached signature, the whole file). The
// DIAG's own checks (hv::precheck_verification) run first, then the certificates in store
// order exactly as DIAG 0x508 tries them; the BIOS's whole-block rounding of the length is
// checked when the disk block size is given. What `sipl verify` shows, for any caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/hv/certificate_store.h"

namespace sipl::fw {

struct VerifyRequest {
  std::string file;                      // the signed component
  std::optional<std::string> signature;  // a detached DER signature; nullopt: the file's appended one
  UnixTime at = 0;                       // host clock when the guest asks
  unsigned block_size = 0;               // disk block size; 0: no whole-block check
};

// Where the signature came from.
enum class SignatureSource { kNone, kAppended, kDetached };

struct [[nodiscard]] ComponentVerification {
  std::string file;
  SignatureSource signature_source = SignatureSource::kNone;
  std::string signature_file;   // the detached signature's path (kDetached)
  UnixTime at = 0;
  uint64_t payload_size = 0;    // bytes the signature covers
  uint64_t signature_size = 0;  // bytes of the DER signature
  // Set when the appended-signature trailer is malformed: the input is bad, not the verdict
  // negative (also a finding, so a caller checking many files can go on).
  std::optional<Error> input_error;
  std::optional<uint16_t> diag508_rc;            // what DIAG 0x508 returns; nullopt when it is not called
  std::optional<crypto::VerifyVerdict> verdict;  // when certificates were tried
  Findings findings;  // why it does (not) verify, in the order found; the verdict's own after them

  // Returns true when a store certificate verified the component.
  bool verified() const { return verdict && verdict->verified; }
  // Returns the 0-based store index of the certificate that verified, or nullopt.
  std::optional<size_t> store_index() const { return verified() ? verdict->index : std::nullopt; }
};

// Returns the verdict for `request` against `store`. Errors only for files that cannot be read
// (kIo, kLimit for a detached signature over 1 MiB); a missing or malformed signature, the
// DIAG's refusals and failed certificates are findings of a negative verdict (a malformed
// trailer also sets input_error).
Result<ComponentVerification> verify_component(const hv::CertificateStore& store, const VerifyRequest& request);

}  // namespace sipl::fw
