// DIAG 0x508 as QEMU 11.2 handles it (qemu-secure-ipl.md §4): query (R3 = 0) and signature
// verification (R3 = 0x8000) of a component against the certificate store, with the
// 64-byte Signature-Verification Block (SVB, layout in diag508_layout.h) in guest memory.
// Checks run in QEMU's order; verification itself is crypto::verify_detached (GnuTLS's
// verdict), at the time given in the request (QEMU uses the host clock).
#pragma once

#include <cstdint>
#include <optional>

#include "sipl/base/finding.h"
#include "sipl/base/time.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/guest_memory.h"

namespace sipl::hv {

// The program interruptions DIAG 0x508 can raise instead of completing.
enum class Diag508Exception {
  kPrivilegedOperation,  // issued in problem state
  kSpecification,        // odd R1, subcode bits outside the low 16, unknown subcode
  kAddressing,           // the 64-byte SVB is not (wholly) guest memory
};

// Returns "privileged-operation", "specification" or "addressing".
const char* to_string(Diag508Exception e);

// One execution of `DIAG R1,R3,0x508`.
struct Diag508Request {
  bool problem_state = false;  // PSW problem-state bit (the BIOS runs in supervisor state)
  unsigned r1 = 0;             // number of register R1 (0..15); must be even
  uint64_t address = 0;        // contents of R1: guest absolute address of the SVB
  uint64_t subcode = 0;        // contents of R3
  UnixTime at = 0;             // host clock when the guest asks (certificate validity)
};

struct Diag508Result {
  std::optional<Diag508Exception> exception;
  uint16_t rc = 0;    // R1+1 (only meaningful without exception)
  Findings findings;  // QEMU's host warnings (length limits) and why verification failed
  // The verification verdict, when the DIAG got as far as trying certificates.
  std::optional<crypto::VerifyVerdict> verdict;

  // Returns true when the DIAG completed (no program exception) with rc 0x0001.
  bool ok() const { return !exception && rc == 0x0001; }
};

// Executes DIAG 0x508 against `store`, reading the SVB, component and signature from
// `memory` and, on success, writing the whole SVB back with cert_store_index and cert_len.
Diag508Result execute_diag508(const CertificateStore& store, GuestMemory& memory, const Diag508Request& request);

}  // namespace sipl::hv
