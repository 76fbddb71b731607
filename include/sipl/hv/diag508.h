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
#include "sipl/hv/diag320.h"  // hv::ProgramException, shared by the DIAG handlers
#include "sipl/hv/diag508_svb.h"
#include "sipl/hv/guest_memory.h"

namespace sipl::hv {

// One execution of `DIAG R1,R3,0x508`.
struct Diag508Request {
  bool problem_state = false;  // PSW problem-state bit (the BIOS runs in supervisor state)
  unsigned r1 = 0;             // number of register R1 (0..15); must be even
  uint64_t address = 0;        // contents of R1: guest absolute address of the SVB
  uint64_t subcode = 0;        // contents of R3
  UnixTime at = 0;             // host clock when the guest asks (certificate validity)
};

struct Diag508Result {
  std::optional<ProgramException> exception;  // privileged-operation, specification, addressing
  uint16_t rc = 0;    // R1+1 (only meaningful without exception)
  Findings findings;  // QEMU's host warnings (length limits) and why verification failed
  // The verification verdict, when the DIAG got as far as trying certificates.
  std::optional<crypto::VerifyVerdict> verdict;

  // Returns true when the DIAG completed (no program exception) with rc 0x0001.
  bool ok() const { return !exception && rc == 0x0001; }
};

// DIAG 0x508's checks before any certificate is tried, in QEMU's order: an empty store (rc
// 0x0102, before the SVB is even read), the SVB length (0x0502), the component's length and
// address (0x0202), the signature's (0x0302). Appends QEMU's host warnings for over-long
// lengths and one error finding naming the refusal to `findings`. Returns the return code the
// DIAG gives, or nullopt when it goes on to try the certificates. `sipl verify` and the
// handler below share it, so the two cannot decide differently.
std::optional<uint16_t> precheck_verification(size_t store_count, const diag508::Svb& svb, Findings* findings);

// Executes DIAG 0x508 against `store`, reading the SVB, component and signature from
// `memory` and, on success, writing the whole SVB back with cert_store_index and cert_len.
Diag508Result execute_diag508(const CertificateStore& store, GuestMemory& memory, const Diag508Request& request);

}  // namespace sipl::hv
