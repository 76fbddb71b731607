// What a certificate store means for the guest, beyond its entries: each certificate's
// validity at the host time the guest asks and whether QEMU can read its key (an invalid one
// enters the store but reaches the guest marked invalid and verifies nothing), the totals DIAG 0x320 reports, the IPL mode either secure-boot setting gives, and
// which certificates came from one directory in its unsorted read order (another file system
// can order them differently). What `sipl certs` shows, for any caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/time.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/ipl_mode.h"

namespace sipl::hv {

// Certificates `first`..`last` (1-based store indices) came from directory `dir`.
struct DirectoryRun {
  std::string dir;
  size_t first = 0;
  size_t last = 0;
};

struct [[nodiscard]] StoreReport {
  UnixTime at = 0;
  std::vector<bool> valid_at;        // per store entry, in store order: inside its validity window
  std::vector<bool> vce_valid;       // per store entry: the guest receives a valid VCE (window, key, size)
  uint64_t max_single_vcb_len = 0;   // as the VCSSB reports them
  uint64_t total_vcb_len = 0;
  IplMode mode_secure_boot_off = IplMode::kNormal;
  IplMode mode_secure_boot_on = IplMode::kInvalid;
  std::vector<DirectoryRun> directory_runs;  // directories that gave more than one certificate
  // Notes (info: a directory's read order) then warnings (a certificate invalid at `at`, a key
  // QEMU cannot read).
  Findings notes;
  // Returns true when the guest receives some certificate's VCE marked invalid.
  bool has_invalid() const;
};

// Returns the report for `store` at host time `at`.
StoreReport report_store(const CertificateStore& store, UnixTime at);

}  // namespace sipl::hv
