// Signing a component as `sipl sign` does: strip an old signature when asked (a file must
// never be signed twice), add a SCLAB when asked (the kernel's layout: zero padding so the
// 32-byte SCLAB ends on a 4 KiB boundary), then make the sign-file-compatible CMS signature.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/crypto/certificate.h"
#include "sipl/crypto/cms.h"
#include "sipl/crypto/private_key.h"

namespace sipl::image {

// The largest component DIAG 0x508 verifies (QEMU include/hw/s390x/ipl/diag508.h).
inline constexpr uint64_t kMaxVerifiableComponent = 0x10000000;
// The disk block size the BIOS rounds component lengths up to (spec README, observed).
inline constexpr uint64_t kBiosBlockSize = 512;

struct SclabRequest {
  uint16_t flags = 0;  // kSclabFlag* bits
  uint64_t load_psw = 0;
  uint64_t load_addr = 0;
};

struct SignRequest {
  crypto::CmsSignOptions cms;
  bool resign = false;                 // strip existing appended signatures first
  std::optional<SclabRequest> sclab;   // append a SCLAB before signing
  // When the signer certificate will be checked (QEMU's DIAG 0x508 checks its validity at the
  // guest's boot): a certificate expired or not yet valid then draws a warning.
  std::optional<UnixTime> at;
};

// The signed component is `payload` (a view into the caller's input, which must outlive this)
// followed by `sclab_tail` (zero padding and the SCLAB, empty when none was added): large
// files are never copied.
struct SignedComponent {
  ByteSpan payload;
  Bytes sclab_tail;
  Bytes signature;   // DER CMS SignedData over payload + sclab_tail
  uint64_t input_size = 0;
  uint64_t removed_signatures = 0;  // how many appended signatures --resign stripped
  bool sclab_added = false;
  Findings warnings;  // things that will keep the signature from verifying at boot

  // Returns the size of the signed bytes (payload + sclab_tail).
  uint64_t component_size() const { return payload.size() + sclab_tail.size(); }
  // Returns the signed bytes as pieces: payload, sclab_tail.
  std::array<ByteSpan, 2> component() const { return {payload, sclab_tail}; }
  // Returns the pieces of the file with the signature appended: payload, sclab_tail,
  // signature, trailer (`trailer` must be image::signature_trailer(signature.size())).
  std::array<ByteSpan, 4> signed_file(const Bytes& trailer) const { return {payload, sclab_tail, signature, trailer}; }
};

// Returns the signed component for the file `data` (named `path` in messages). Errors: kBadInput
// for a file that already carries an appended signature (unless resign), an empty file, a
// malformed trailer, a SCLAB asked for a component that already has one; errors of
// crypto::sign_detached_cms.
Result<SignedComponent> sign_component(ByteSpan data, const std::string& path, const crypto::PrivateKey& key,
                                       const crypto::Certificate& cert, const SignRequest& request);

}  // namespace sipl::image
