// DIAG 0x320, the Certificate Store Facility (QEMU target/s390x/diag.c handle_diag_320,
// include/hw/s390x/ipl/diag320.h): how QEMU hands the certificate store to the guest. The guest
// names a block in its memory with register R1 and a subcode with R3; QEMU either raises a program
// exception or writes a return code to R1+1:
//   subcode 0  ISM   Installed Subcodes Mask
//   subcode 1  VCSSB Verification-Certificate Storage Size Block
//   subcode 2  VCB   Verification-Certificate Block holding VCEs (Verification-Certificate
//                    Entries), one per requested certificate.
// Layouts: diag320_layout.h. Where QEMU 11.2 is wrong (in_len 0) sipl rejects; see
// docs/DECISIONS-diag320.md.
#pragma once

#include <cstdint>
#include <optional>

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/time.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/guest_memory.h"

namespace sipl::hv {

// The program interruptions DIAG 0x320 can raise instead of completing.
enum class ProgramException {
  kPrivilegedOperation,  // issued in problem state
  kSpecification,        // no cstore feature, odd R1, subcode bits above 8, misaligned block
  kAddressing,           // the block is not (wholly) guest memory
};

// Returns "privileged-operation", "specification" or "addressing".
const char* to_string(ProgramException e);

// What the CPU looks like when the guest issues the DIAG.
struct CpuState {
  bool problem_state = false;  // PSW problem-state bit (the BIOS runs in supervisor state)
  bool cstore = true;          // CPU feature `cstore` (certificate-store facility) installed
};

// One execution of `DIAG R1,R3,0x320`.
struct Diag320Request {
  CpuState cpu;
  unsigned r1 = 0;       // number of register R1 (0..15); must be even
  uint64_t address = 0;  // contents of R1: guest address of the parameter block
  uint64_t subcode = 0;  // contents of R3
  UnixTime at = 0;       // host clock when the guest asks (certificate validity)
};

// The outcome: either a program exception or a return code in register R1+1.
struct Diag320Result {
  std::optional<ProgramException> exception;
  uint16_t rc = 0;    // R1+1 (only meaningful without exception)
  Findings findings;  // certificates handed over as invalid, and why (QEMU logs these)

  // Returns true when the DIAG completed (no program exception) with rc 0x0001.
  bool ok() const { return !exception && rc == 0x0001; }
};

// Executes DIAG 0x320 against `store`, reading and writing the guest's block in `memory`
// exactly as QEMU 11.2 does, except that in_len 0 is rejected with rc 0x0204.
Diag320Result execute_diag320(const CertificateStore& store, GuestMemory& memory,
                              const Diag320Request& request);

// Why QEMU marks a store entry's VCE invalid, in the order it checks: the validity window at
// host time `at`, then the key (key type and key id: a key GnuTLS cannot read), then the size.
enum class VceProblem { kNotYetValid, kExpired, kKeyUnreadable, kTooLarge };

// Returns the first problem QEMU finds with `entry` at `at`, or nullopt when its VCE is valid.
std::optional<VceProblem> vce_problem(const StoreEntry& entry, UnixTime at);

// Returns the VCE QEMU builds for store entry `entry` at 0-based store index `index`, checking
// validity at `at`: 128 + 32 + 32 + round_up(DER, 4) bytes when valid, else the 72-byte
// invalid entry (valid bit clear).
Bytes build_vce(const StoreEntry& entry, size_t index, UnixTime at);

// Returns the length of the VCE of a valid certificate: 128 + its data size.
uint32_t full_vce_length(const StoreEntry& entry);

}  // namespace sipl::hv
