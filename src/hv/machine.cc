// QEMU's machine-level view of secure IPL: mode, CPU facilities, boot order and the checks
// QEMU makes at its first reset (qemu-secure-ipl.md §1.3-1.5, §5.2).
#include "sipl/hv/machine.h"

#include <algorithm>
#include <cctype>

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

Result<CpuFacilities> cpu_facilities(const std::string& cpu_model) {
  if (cpu_model.empty()) return fail(ErrorCode::kBadInput, "empty -cpu model");
  std::string m;
  for (char c : cpu_model) m += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // "-cpu z16,sipl=off" style feature overrides: the model name ends at the first comma.
  const auto comma = m.find(',');
  std::string name = m.substr(0, comma);
  const bool full = name == "max" || name == "qemu" || name == "host" || name.rfind("z16", 0) == 0 ||
                    name.rfind("gen16", 0) == 0 || name.rfind("z17", 0) == 0 || name.rfind("gen17", 0) == 0;
  CpuFacilities f{full, full, full};
  if (comma != std::string::npos) {
    std::string rest = m.substr(comma + 1);
    size_t pos = 0;
    while (pos <= rest.size()) {
      const size_t next = std::min(rest.find(',', pos), rest.size());
      const std::string item = rest.substr(pos, next - pos);
      for (auto [feat, flag] : {std::pair{"sipl", &f.sipl}, {"sclaf", &f.sclaf}, {"cstore", &f.cstore}}) {
        if (item == std::string(feat) + "=on") *flag = true;
        if (item == std::string(feat) + "=off") *flag = false;
      }
      pos = next + 1;
    }
  }
  return f;
}

Result<Machine> Machine::create(const MachineOptions& options, Findings* warnings) {
  Machine m;
  m.options_ = options;
  auto fac = cpu_facilities(options.cpu_model);
  if (!fac) return tl::unexpected(fac.error());
  m.facilities_ = *fac;
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
