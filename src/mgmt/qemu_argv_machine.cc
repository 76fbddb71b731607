// From a parsed qemu-system-s390x command line to hv::MachineOptions.
#include "sipl/mgmt/qemu_argv_machine.h"

#include <fmt/format.h>

namespace sipl::mgmt {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Returns the boot device kind of a -device driver, or nullopt when it cannot boot.
std::optional<hv::BootDeviceKind> kind_of(const std::string& driver) {
  if (driver == "virtio-blk-ccw") return hv::BootDeviceKind::kVirtioBlkCcw;
  if (driver == "scsi-hd" || driver == "scsi-block" || driver == "virtio-scsi-ccw") return hv::BootDeviceKind::kVirtioScsiCcw;
  if (driver == "scsi-cd" || driver == "ide-cd") return hv::BootDeviceKind::kCdrom;
  if (driver == "vfio-ccw") return hv::BootDeviceKind::kVfioCcw;
  if (driver.rfind("virtio-net", 0) == 0 && !ends_with(driver, "-pci")) return hv::BootDeviceKind::kVirtioNet;
  if (ends_with(driver, "-pci")) return hv::BootDeviceKind::kVirtioPci;
  return std::nullopt;
}

}  // namespace

Result<hv::MachineOptions> machine_options(const MachineConfig& m, Findings* notes) {
  if (m.direct_kernel) {
    Error e(ErrorCode::kUnsupported,
            fmt::format("{}: a direct kernel boot: QEMU loads the kernel itself and starts it without the "
                        "s390-ccw BIOS, so nothing is read from a boot disk and no secure IPL happens",
                        *m.direct_kernel));
    e.hint = "sipl predicts BIOS boots from disks; drop -kernel/-initrd/-append to boot from the disk";
    return tl::unexpected(std::move(e));
  }
  hv::MachineOptions o;
  if (!m.cpu_option.empty()) o.cpu_model = m.cpu_option;
  else if (!m.cpu_model.empty()) o.cpu_model = m.cpu_model;
  o.kvm = m.accel == "kvm";
  o.boot_certs = m.boot_certs;
  o.secure_boot = m.secure_boot.value_or(false);
  o.loadparm = m.machine_loadparm;
  if (m.memory_kib) o.ram_bytes = m.memory_kib * 1024;
  else o.ram_bytes = 128ull << 20;  // QEMU's default -m for s390-ccw-virtio
  o.protected_virtualization = m.protected_virtualization;
  for (const auto& d : m.devices) {
    if (!d.bootindex) continue;  // QEMU's boot order is the bootindex list
    auto kind = kind_of(d.driver);
    if (!kind) {
      notes->push_back({Severity::kWarning, ids::kBootDeviceUnknown,
                        fmt::format("-device {} has bootindex={} but is not a boot device sipl knows; ignored",
                                    d.driver, *d.bootindex),
                        {}});
      continue;
    }
    hv::BootDevice b;
    b.kind = *kind;
    b.bootindex = *d.bootindex;
    b.loadparm = d.loadparm;
    if ((*kind == hv::BootDeviceKind::kVirtioBlkCcw || *kind == hv::BootDeviceKind::kVirtioScsiCcw)) {
      if (d.drive.empty())
        return fail(ErrorCode::kBadInput, fmt::format("-device {} (bootindex={}) names no drive", d.driver, *d.bootindex));
      auto r = resolve_drive(m, d.drive);
      if (!r) return tl::unexpected(r.error());
      b.image = r->filename;
    }
    o.devices.push_back(std::move(b));
  }
  return o;
}

}  // namespace sipl::mgmt
