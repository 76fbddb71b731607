// One DIAGNOSE call set up the way the s390-ccw BIOS sets it up, run against a certificate
// store, with the block the guest reads back decoded: what `sipl diag 320|508` shows, for any
// caller. Guest memory is flat and small; the parameter block lies at kDiagBlockAddress (page
// aligned, not 0), a DIAG 0x508 component at kDiag508ComponentAddress and its signature on the
// next page after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/diag320.h"
#include "sipl/hv/diag320_decode.h"
#include "sipl/hv/diag508.h"
#include "sipl/hv/diag508_svb.h"

namespace sipl::hv {

inline constexpr uint64_t kDiagBlockAddress = 0x1000;
inline constexpr uint64_t kDiag508ComponentAddress = 0x10000;

// What the guest asks DIAG 0x320 for.
struct Diag320Call {
  uint64_t subcode = 0;              // R3
  std::optional<uint16_t> first;     // subcode 2: first 1-based index (default 1, 0 for an empty store)
  std::optional<uint16_t> last;      // subcode 2: last 1-based index (default: the store size)
  std::optional<uint32_t> in_len;    // subcode 2: VCB in_len (default: 4 KiB multiple holding the range)
  UnixTime at = 0;                   // host clock when the guest asks
};

// The call as made and what the guest reads back. Move-only: the decoded VCB points into `block`.
struct [[nodiscard]] Diag320Outcome {
  uint64_t subcode = 0;
  uint16_t first = 0;                // the range asked for (subcode 2), defaults resolved
  uint16_t last = 0;
  std::optional<uint32_t> in_len;    // subcode 2
  Diag320Result result;
  // The block read back: the whole ISM or VCSSB, or the VCB up to out_len; empty after a
  // program exception or for a subcode that reads no block.
  Bytes block;
  // The block decoded, for the subcode that ran, when the DIAG returned rc 0x0001.
  std::optional<IsmFields> ism;
  std::optional<VcssbFields> vcssb;
  std::optional<VcbFields> vcb;

  Diag320Outcome() = default;
  Diag320Outcome(Diag320Outcome&&) = default;
  Diag320Outcome& operator=(Diag320Outcome&&) = default;
  Diag320Outcome(const Diag320Outcome&) = delete;
  Diag320Outcome& operator=(const Diag320Outcome&) = delete;
};

// Returns the outcome of DIAG 0x320 as the BIOS issues it (GR0/GR1, supervisor state, cstore
// installed) against `store`; kInternal only if the handler left a block that does not decode.
Result<Diag320Outcome> call_diag320(const CertificateStore& store, const Diag320Call& call);

// Returns the in_len the BIOS would choose for the 1-based range [first, last]: a 4 KiB
// multiple holding the VCB header and every VCE of the range.
uint32_t default_vcb_in_len(const CertificateStore& store, uint16_t first, uint16_t last);

// What the guest asks DIAG 0x508 for: a component file and its detached DER signature.
struct Diag508Call {
  uint64_t subcode = diag508::kSubcodeSignatureVerification;  // R3
  std::string component;  // path of the signed bytes as loaded
  std::string signature;  // path of the DER PKCS#7 signature
  UnixTime at = 0;
};

struct [[nodiscard]] Diag508Outcome {
  uint64_t subcode = 0;
  uint64_t component_length = 0;
  uint64_t signature_length = 0;
  Diag508Result result;
  diag508::Svb svb;   // as read back after the call
  Bytes svb_bytes;    // the same, as the 64 bytes the guest reads
  // Returns the 0-based store index of the certificate that verified (from the SVB), or nullopt.
  std::optional<size_t> verifying_index() const;
};

// Returns the outcome of DIAG 0x508 with the component at kDiag508ComponentAddress and the
// signature after it (inputs over QEMU's length limits are not loaded: its checks answer
// before reading them). Errors: the component or signature file cannot be read (kIo), or a
// signature file over 1 MiB (kLimit).
Result<Diag508Outcome> call_diag508(const CertificateStore& store, const Diag508Call& call);

}  // namespace sipl::hv
