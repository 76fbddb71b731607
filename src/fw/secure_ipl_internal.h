// The BIOS's running state shared by the secure IPL engine's files: console, halt state and
// zipl_secure_error()'s Audit/Secure split.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/diagnostic_ids.h"
#include "sipl/fw/boot_record.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/image/sclab.h"

namespace sipl::fw::detail {

// The mode the BIOS derives from the IPLB hdr_flags (QEMU include/hw/s390x/ipl/qipl.h,
// pc-bios/s390-ccw/main.c): IPLIR alone → Audit, IPLIR with SIPL → Secure, anything else → Normal.
// The invalid configuration arrives as Secure.
enum class BiosMode { kNormal, kAudit, kSecure };

struct Bios {
  const hv::Machine& machine;
  hv::GuestMemory& memory;
  UnixTime at = 0;
  IplOutcome& out;
  BiosMode mode = BiosMode::kNormal;
  bool halted = false;
  std::optional<uint32_t> max_single_vcb_len;  // from the VCSSB (DIAG 0x320 subcode 1)
  std::optional<HaltedComponent> checking;     // the component the checks are about, for a halt

  // Prints a console line (nothing once the CPU is in disabled wait).
  void print(std::string line) {
    if (!halted) out.console.push_back(std::move(line));
  }
  // panic(): `ERROR: <msg>` and disabled wait.
  void panic(const std::string& msg) {
    if (halted) return;
    print("ERROR: " + msg);
    out.halt_reason = msg;
    out.halted_at = checking;
    halted = true;
  }
  // zipl_secure_error(): a warning in Audit mode, an abort in Secure mode (wording unverified,
  // see docs/DECISIONS-boot.md).
  void error(const std::string& msg) {
    if (halted) return;
    if (mode == BiosMode::kAudit) {
      print("AUDIT MODE WARNING: " + msg);
      ++out.warnings;
    } else if (mode == BiosMode::kSecure) {
      panic(msg);
    }
  }
  // zipl_secure_validate(): on a failed condition sets `bits` and reports `msg`.
  template <typename T>
  void validate(bool ok, T* bits, T mask, const std::string& msg) {
    if (ok || halted) return;
    *bits = static_cast<T>(*bits | mask);
    error(msg);
  }
  // Stores the BIOS's own bytes (a request block, the IPLB, the report) at an address of its
  // layout, or reads them back. The layout lies in RAM, so false means a guest too small for
  // the BIOS: the CPU stops (no console line: the real BIOS would take an addressing
  // exception) with the note boot.bios_memory naming the range.
  [[nodiscard]] bool put(uint64_t addr, ByteSpan data);
  [[nodiscard]] bool get(uint64_t addr, MutableByteSpan data);
  // Adds a sipl note (not console output) explaining what happened.
  void note(std::string id, std::string msg, Location where = {}) {
    out.notes.push_back({Severity::kInfo, std::move(id), std::move(msg), {}, std::move(where)});
  }
  // A note for an error of the host side (a disk that cannot be read or walked): its text,
  // file and byte or block.
  void note(std::string id, const Error& e) { note(std::move(id), e.to_string(), e.where); }
  // A boot.read_failed note: `what` could not be read from the disk, and why, with the file and
  // byte, when guest memory kept the host's error.
  void read_failed(const std::string& what) {
    const auto& e = memory.host_error();
    note(ids::kBootReadFailed, e ? what + ": " + e->to_string() : what, e ? e->where : Location{});
  }
};

// What one boot device's zipl_load ended in: booted, failed in the SCSI scheme ("Failed to
// IPL from this SCSI device!" follows), or failed after printing its own last line.
enum class RunResult { kBooted, kFailed, kFailedPrinted };

// The certificates fetched so far (the temporary buffer's contents, in list order).
struct FetchedCertificate {
  uint64_t temp_address = 0;
  uint64_t length = 0;
  size_t store_index = 0;  // 0-based
};

// Runs zipl_run_secure over `program` (Audit/Secure), filling out.components/iiei and
// `certs`. kFailed = hard failure (the device fails in both modes); a Secure abort or panic
// sets bios.halted.
RunResult run_secure_components(Bios& bios, const Program& program, std::vector<FetchedCertificate>* certs);

// Copies the certificates into the ipl_data area, writes the IPLB and the IIRB after it.
void write_ipl_report(Bios& bios, size_t device, const std::vector<FetchedCertificate>& certs);

// Writes the IPLB QEMU built for boot device `device` and publishes it in lowcore.
void write_iplb(Bios& bios, size_t device);

// Facility checks and the VCSSB query of main(); false when the BIOS panicked.
bool secure_startup(Bios& bios);

// Returns the length of the certificate DIAG 0x320 subcode 2 stores for 1-based store index
// `index`, copied to `dest`, or 0 after printing the BIOS's message (request_certificate).
uint64_t request_certificate(Bios& bios, uint64_t dest, uint16_t index);

// Loads LOAD component `c` at its address, range by range, without reading what guest memory
// can keep as a range of the disk. False after a note saying why: it does not fit in guest
// memory, or (an I/O error) its bytes cannot be read from the disk.
bool load_component(Bios& bios, const Component& c);

// zipl_load's way on when block 0 holds no zIPL boot record (eckd_fallback.cc): the ECKD
// scheme's console lines, then "zIPL load failed!" (kFailedPrinted), or the Secure/Audit panic
// for a disk with an ECKD boot record. kUnsupported for what sipl does not simulate (an ECKD
// boot in Normal mode, an ISO image).
Result<RunResult> eckd_fallback(Bios& bios, const image::DiskImage& disk, hv::BootDeviceKind kind);

// Returns true if [a, a+alen) and [b, b+blen) intersect (the BIOS's intersects()).
inline bool intersects(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return a < b + blen && b < a + alen;
}

}  // namespace sipl::fw::detail
