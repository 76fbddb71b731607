// QEMU's machine-level view of secure IPL: mode, CPU facilities, boot order and the checks
// QEMU makes at its first reset (QEMU hw/s390x/ipl.c, hw/s390x/cert-store.c,
// include/hw/s390x/ipl/qipl.h).
#include "sipl/hv/machine.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace sipl::hv {

const char* to_string(BootDeviceKind k) {
  switch (k) {
    case BootDeviceKind::kVirtioBlkCcw: return "virtio-blk-ccw";
    case BootDeviceKind::kVirtioScsiCcw: return "virtio-scsi-ccw";
    case BootDeviceKind::kVfioCcw: return "vfio-ccw";
    case BootDeviceKind::kVirtioNet: return "virtio-net";
    case BootDeviceKind::kVirtioPci: return "virtio-pci";
    case BootDeviceKind::kCdrom: return "cdrom";
  }
  return "?";
}

Result<std::string> sanitize_loadparm(std::string_view loadparm) {
  if (loadparm.size() > 8)
    return fail(ErrorCode::kUnsupported, "'loadparm' can only contain up to 8 characters");
  std::string out;
  for (char ch : loadparm) {
    const auto c = static_cast<unsigned char>(std::toupper(static_cast<unsigned char>(ch)));  // mimic HMC
    if (!std::isalnum(c) && c != '.' && c != ' ')
      return fail(ErrorCode::kUnsupported,
                  fmt::format("invalid character in 'loadparm': '{}' (ASCII 0x{:02x})", static_cast<char>(c), c));
    out += static_cast<char>(c);
  }
  return out;
}

Result<Machine> Machine::create(const MachineOptions& options, Findings* warnings) {
  Machine m;
  m.options_ = options;
  auto cpu = parse_cpu_option(options.cpu_model, options.kvm);
  if (!cpu) return tl::unexpected(cpu.error());
  m.cpu_ = std::move(*cpu);
  m.facilities_ = m.cpu_.facilities;
  if (options.loadparm)
    if (auto lp = sanitize_loadparm(*options.loadparm); !lp) return tl::unexpected(lp.error());
  for (const auto& d : options.devices)
    if (d.loadparm)
      if (auto lp = sanitize_loadparm(*d.loadparm); !lp) return tl::unexpected(lp.error());
  if (options.protected_virtualization) m.facilities_ = {};  // hidden from PV guests
  if (options.store) {
    m.store_ = *options.store;
    m.options_.store.reset();
  } else {
    auto store = CertificateStore::build(options.boot_certs, warnings);
    if (!store) return tl::unexpected(store.error());
    m.store_ = std::move(*store);
  }
  m.mode_ = ipl_mode(options.secure_boot, m.store_.count());
  m.devices_ = options.devices;
  std::stable_sort(m.devices_.begin(), m.devices_.end(),
                   [](const BootDevice& a, const BootDevice& b) { return a.bootindex < b.bootindex; });
  // QEMU's checks at the first reset, in its order (ipl.c): a secure configuration needs a
  // boot device, and no device in the boot order may be of a refused kind.
  if (m.mode_ != IplMode::kNormal || options.secure_boot) {
    if (m.devices_.empty()) return fail(ErrorCode::kUnsupported, "No boot device defined for Secure IPL");
    for (const auto& d : m.devices_) {
      switch (d.kind) {
        case BootDeviceKind::kVfioCcw:
          return fail(ErrorCode::kUnsupported, "Passthrough (vfio) CCW device does not support secure boot!");
        case BootDeviceKind::kVirtioNet:
          return fail(ErrorCode::kUnsupported, "Virtio net boot device does not support secure boot!");
        case BootDeviceKind::kVirtioPci:
          return fail(ErrorCode::kUnsupported, "Virtio pci boot device does not support secure boot!");
        default: break;
      }
    }
  }
  return m;
}

uint64_t Machine::bios_base() const {
  const uint64_t ram = std::min<uint64_t>(options_.ram_bytes, 0x80000000ull);
  return (ram - 0x200000) & ~uint64_t{0xffff};
}

uint64_t Machine::ipl_data() const {
  if (devices_.size() <= 1 && store_.empty()) return 0;
  return (bios_base() & ~uint64_t{0xfff}) - kCertBufSize;
}

std::string Machine::loadparm(size_t i) const {
  std::string lp;
  if (i < devices_.size() && devices_[i].loadparm) lp = *devices_[i].loadparm;
  else if (options_.loadparm) lp = *options_.loadparm;
  for (auto& c : lp) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  lp.resize(8, ' ');
  return lp;
}

}  // namespace sipl::hv
