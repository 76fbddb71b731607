// sipl audit: which guests will not boot, when, and why. Every guest a source yields is
// predicted the way `sipl boot` predicts it (predict::predict_machine) now and at each instant
// of the horizon where a certificate of its store starts or stops being valid (the verdict can
// change only there: QEMU checks validity against the host clock at every boot), so the first
// change is found without scanning time. Guests share work: a certificate store is built once
// per set of files (canonical path and stat identity) and a disk opened, and its bytes read,
// once per file however many guests name it; identical machines are predicted once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/fleet/guest_source.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/hv/ipl_mode.h"
#include "sipl/mgmt/domain.h"

namespace sipl::fleet {

struct AuditRequest {
  std::vector<std::string> connect;    // libvirt URIs
  std::vector<std::string> xml_paths;  // files or directories
  bool processes = false;
  std::string proc_root = "/proc";
  UnixTime at = 0;     // "now"
  UnixTime until = 0;  // end of the horizon (>= at)
  // The QEMU the guests run, e.g. "7.2.0": guests that use boot certificates or secure-boot on
  // a QEMU without them get an "audit.unsupported_qemu" error. Empty: a QEMU with the feature.
  std::string qemu_version;
  unsigned threads = 2;
  // Called from worker threads after each guest (done, total); may be empty.
  std::function<void(size_t, size_t)> progress;
};

// Returns "unknown" for a guest sipl could not predict, else fw::to_string's words.
enum class GuestVerdict { kBoots, kBootsWithWarnings, kHalts, kNoBootableDevice, kInvalid, kUnknown };

// Returns "boots", "boots with warnings", "halts", "no bootable device", "invalid" (QEMU refuses
// the machine) or "unknown" (sipl could not tell: unreadable disk, unreachable remote path).
const char* to_string(GuestVerdict v);
// True for the verdicts of a guest that does not come up (halts, no bootable device, invalid).
bool fails(GuestVerdict v);

struct GuestAudit {
  std::string name;
  SourceKind kind = SourceKind::kXml;
  std::string source;
  std::optional<hv::IplMode> mode;      // nullopt when not even the machine could be read
  std::string boot_certs_form;          // mgmt::to_string(BootCertsForm) for domains; "argv" for processes
  std::optional<size_t> store_count;    // certificates in the store; nullopt when it was not built
  size_t store_warnings = 0;            // QEMU's warnings while building it
  GuestVerdict verdict = GuestVerdict::kUnknown;  // at the request's `at`
  std::string halt_reason;
  std::optional<UnixTime> changes_at;   // first instant in (at, until] with another verdict
  GuestVerdict verdict_then = GuestVerdict::kUnknown;  // the verdict from changes_at on
  std::string change;                   // what happens at changes_at
  Findings findings;
  // True when the guest does not boot now or stops booting within the horizon.
  bool fails_within_horizon() const;
};

struct AuditStats {
  size_t guests = 0;
  size_t stores_built = 0;      // distinct certificate stores built
  size_t disks_opened = 0;      // distinct disk files opened
  uint64_t disk_bytes_read = 0;  // bytes read from disk files
  size_t predictions = 0;       // BIOS runs (distinct machine, validity pattern)
};

struct AuditReport {
  UnixTime at = 0;
  UnixTime until = 0;
  std::vector<GuestAudit> guests;  // worst first (see audit())
  Findings findings;               // about the sources (skipped domains, failed connections)
  bool source_failed = false;      // a source could not be read at all
  AuditStats stats;
};

// Returns the audit of every guest the request's sources yield, ordered worst first: failing
// now, unknown, failing within the horizon (soonest first), changing otherwise, booting with
// warnings, booting; then by name and source. Errors: kUsage for a request without sources or
// with until < at; a libvirt URI without libvirt support is kUnsupported. Sources that cannot
// be read are findings (source_failed), so one unreachable host does not hide the others.
Result<AuditReport> audit(const AuditRequest& request);

// Audits guests already collected (the part of audit() after collection).
AuditReport audit_guests(std::vector<GuestDefinition> guests, const AuditRequest& request);

}  // namespace sipl::fleet
