// fw::SecureIpl: what the s390-ccw BIOS does from its start to the jump into the loaded
// program (QEMU pc-bios/s390-ccw/main.c, bootmap.c, secure-ipl.c): facility checks, the DIAG 0x320
// store query, device gating, the Normal-mode load or the Audit/Secure component loop (SCLAB
// checks, DIAG 0x508 verification, certificate fetch), the global checks, and the IIRB (IPL
// Information Report Block) written after the IPLB (IPL Parameter Block) in guest memory. The
// console it would print is collected line by line (the dots the BIOS prints per loaded extent
// omitted).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/hv/guest_memory.h"
#include "sipl/hv/machine.h"
#include "sipl/image/disk_image.h"

namespace sipl::fw {

enum class Verdict { kBoots, kBootsWithWarnings, kHalts, kNoBootableDevice };

// Returns "boots", "boots with warnings", "halts" or "no bootable device".
const char* to_string(Verdict v);

// The component table entry the BIOS was checking when Secure mode halted.
struct HaltedComponent {
  unsigned index = 0;    // position in the program's component table (0-based, as `sipl inspect`)
  uint64_t address = 0;  // load address; the PSW for the checks after the last component
  std::string role;      // "stage 3", "kernel", "initrd", "parmline", ..., or "load PSW"
};

// One entry of the IIRB component list (the last one is the PSW pseudo-entry).
struct ComponentReport {
  uint64_t address = 0;  // load address; the PSW for the pseudo-entry
  uint64_t length = 0;   // whole blocks loaded; 0 for the PSW entry
  uint8_t flags = 0;     // iirb::kFlagSc | iirb::kFlagCsv
  uint16_t cert_index = 0;  // index into the certificate list (meaningful with CSV)
  uint32_t cei = 0;
  bool psw_entry = false;
  std::optional<size_t> store_index;  // 0-based store index of the verifying certificate
  // Returns true if a signature preceded the component.
  bool is_signed() const { return flags & 0x80; }
  // Returns true if the signature verified.
  bool verified() const { return flags & 0x40; }
};

// One entry of the IIRB certificate list.
struct CertificateReport {
  uint64_t address = 0;  // where the DER copy lies in the ipl_data area
  uint64_t length = 0;
  size_t store_index = 0;  // 0-based
};

// Addresses of the BIOS's own blocks in guest memory (the real ones are the BIOS's .bss and
// heap, which sipl does not reproduce; see docs/DECISIONS-boot.md).
struct BiosLayout {
  uint64_t iplb = 0;         // IPLB, IIRB right after it (+4096)
  uint64_t vcssb = 0;
  uint64_t vcb = 0;
  uint64_t svb = 0;
  uint64_t signature = 0;    // 4096-byte signature buffer
  uint64_t cert_temp = 0;    // 28672-byte temporary certificate buffer
  // Returns the layout for a BIOS loaded at `bios_base`.
  static BiosLayout at(uint64_t bios_base);
};

inline constexpr uint64_t kLowcoreIplbPointer = 0x14;  // u32 ipl_parmblock_ptr

struct IplOutcome {
  hv::IplMode mode = hv::IplMode::kNormal;
  Verdict verdict = Verdict::kNoBootableDevice;
  std::string halt_reason;                 // the panic / abort message when halted
  std::optional<HaltedComponent> halted_at;  // the component the halt is about, if any
  std::vector<std::string> console;        // the BIOS console, line by line
  std::optional<size_t> booted_device;     // index into Machine::boot_order()
  unsigned program = 0;                    // program table entry booted
  uint64_t psw = 0;                        // EXEC load PSW of the booted program
  std::vector<ComponentReport> components;  // IIRB component list (Audit/Secure)
  uint16_t iiei = 0;
  std::vector<CertificateReport> certificates;
  BiosLayout layout;
  Bytes iirb;                              // the bytes written after the IPLB (Audit/Secure boot)
  unsigned warnings = 0;                   // AUDIT MODE WARNING lines
  Findings notes;                          // sipl's own explanations (why a device failed, ...)
};

struct IplOptions {
  UnixTime at = 0;  // host clock when the guest asks (certificate validity)
  // Opens a boot device's image; empty: image::open_boot_disk. A caller predicting many
  // guests passes one that hands out shared, read-cached images (sipl audit).
  std::function<Result<image::DiskImage>(const std::string& path)> open_disk;
};

// Runs the BIOS on `machine` with guest storage `memory` (at least the machine's RAM size).
// Errors only for input sipl cannot read at all (a boot disk that cannot be opened) and, as
// kUnsupported, for boots sipl does not simulate (an ECKD-scheme boot record in Normal mode, an
// ISO 9660 image on a disk device); every other outcome, including hostile disks, is a verdict.
Result<IplOutcome> run_ipl(const hv::Machine& machine, hv::GuestMemory& memory, const IplOptions& options);

}  // namespace sipl::fw
