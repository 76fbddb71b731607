// hv::Machine: the configuration QEMU derives from `-machine s390-ccw-virtio,boot-certs.N.path=...,
// secure-boot=on|off`, the `-cpu` model and the boot devices in bootindex order
// (QEMU hw/s390x/ipl.c, hw/s390x/cert-store.c, include/hw/s390x/ipl/qipl.h). Building one runs
// QEMU's host-side checks; a configuration QEMU refuses at its first machine reset is an Error
// (kUnsupported) whose message is QEMU's text verbatim.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/cpu_model.h"
#include "sipl/hv/ipl_mode.h"

namespace sipl::hv {

// The kinds of boot device a guest can name; only the first two can carry a secure IPL.
enum class BootDeviceKind { kVirtioBlkCcw, kVirtioScsiCcw, kVfioCcw, kVirtioNet, kVirtioPci, kCdrom };

// Returns "virtio-blk-ccw", "virtio-scsi-ccw", "vfio-ccw", "virtio-net", "virtio-pci" or "cdrom".
const char* to_string(BootDeviceKind k);

// One device in the boot order.
struct BootDevice {
  BootDeviceKind kind = BootDeviceKind::kVirtioBlkCcw;
  std::string image;                    // disk image path (disks only)
  unsigned bootindex = 0;               // QEMU bootindex (lower boots first)
  std::optional<std::string> loadparm;  // per-device loadparm
};

// What the user asked for.
struct MachineOptions {
  std::string cpu_model = "max";         // the whole -cpu option: MODEL[,FEATURE=on|off...]
  bool kvm = false;                      // -accel kvm (the "host" CPU model needs it)
  std::vector<std::string> boot_certs;   // boot-certs.N.path in N order
  bool secure_boot = false;
  std::vector<BootDevice> devices;       // any order; sorted by bootindex
  std::optional<std::string> loadparm;   // machine-level loadparm (-machine loadparm=), as given
  uint64_t ram_bytes = 1024ull << 20;    // -m
  bool protected_virtualization = false;  // Secure Execution guest: the facilities are hidden
  // The store boot_certs gives, built already by the caller (a cache shared by many guests);
  // nullptr: Machine::create builds it.
  std::shared_ptr<const CertificateStore> store;
};

inline constexpr uint64_t kCertBufSize = 7 * 4096;  // CERT_BUF_SIZE, the ipl_data area
inline constexpr uint32_t kIplbSize = 4096;

// The machine QEMU builds, as far as secure IPL sees it.
class Machine {
 public:
  // Builds the certificate store and runs QEMU's host-side checks: the CPU model
  // (cpu_model.h), every loadparm (as QEMU 11.2's s390_ipl_fmt_loadparm), the boot devices.
  // QEMU's warnings (skipped directory entries) are appended to `warnings`.
  static Result<Machine> create(const MachineOptions& options, Findings* warnings);

  IplMode mode() const { return mode_; }
  // Returns the IPLB hdr_flags QEMU sets on every IPLB of the boot chain.
  uint8_t iplb_header_flags() const { return hv::iplb_header_flags(mode_); }
  const CpuFacilities& facilities() const { return facilities_; }
  // Returns the CPU model the -cpu option resolved to.
  const CpuModel& cpu() const { return cpu_; }
  const CertificateStore& store() const { return store_; }
  // Returns the boot devices in boot order (bootindex ascending, ties in given order).
  const std::vector<BootDevice>& boot_order() const { return devices_; }
  const MachineOptions& options() const { return options_; }
  // Returns where QEMU loads the BIOS: (min(RAM, 2 GiB) − 2 MiB) rounded down to 64 KiB.
  uint64_t bios_base() const;
  // Returns the ipl_data address (0 when QEMU allocates no area: one device, no certificates).
  uint64_t ipl_data() const;
  // Returns the loadparm of boot device `i` (device, else machine, else blanks), 8 chars.
  std::string loadparm(size_t i) const;

 private:
  MachineOptions options_;
  IplMode mode_ = IplMode::kNormal;
  CpuModel cpu_;
  CpuFacilities facilities_;
  CertificateStore store_;
  std::vector<BootDevice> devices_;
};

// Returns `loadparm` as QEMU 11.2 stores it (qdev_prop_sanitize_s390x_loadparm): upper case,
// at most 8 characters from [A-Z0-9. ]. kUnsupported with QEMU's message otherwise:
// "'loadparm' can only contain up to 8 characters" or "invalid character in 'loadparm': 'c'
// (ASCII 0xNN)". (QEMU before 9.2 cut longer values to 8 characters without a word.)
Result<std::string> sanitize_loadparm(std::string_view loadparm);

}  // namespace sipl::hv
