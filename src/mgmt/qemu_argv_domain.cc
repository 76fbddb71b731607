// MachineConfig → Domain: what libvirt's domxml-from-native would describe, restricted to the
// parts sipl models. Boot order comes back per device (bootindex carries no os/boot class).
#include <fmt/format.h>

#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

namespace {
std::string disk_name(const char* prefix, unsigned idx) {
  std::string suffix;
  unsigned n = idx;
  do {
    suffix.insert(suffix.begin(), static_cast<char>('a' + n % 26));
    n = n / 26;
  } while (n-- > 0);
  return prefix + suffix;
}

std::optional<DeviceAddress> ccw_address(const QemuDevice& d) {
  if (!d.devno) return std::nullopt;
  return DeviceAddress{"ccw", d.devno};
}

std::optional<DeviceBoot> device_boot(const QemuDevice& d, const MachineConfig& m) {
  if (!d.bootindex) return std::nullopt;
  DeviceBoot b{*d.bootindex, d.loadparm};
  if (!b.loadparm && *d.bootindex == 1 && m.machine_loadparm) b.loadparm = m.machine_loadparm;
  return b;
}
}  // namespace

Result<Domain> domain_from_machine(const MachineConfig& m) {
  Domain d;
  d.type = m.accel == "kvm" ? "kvm" : "qemu";
  d.name = m.name.empty() ? "guest" : m.name;
  d.uuid = m.uuid;
  d.memory_kib = m.memory_kib != 0 ? m.memory_kib : 128 * 1024;  // QEMU's default -m 128M
  d.vcpus = m.vcpus;
  d.emulator = m.emulator;
  d.os.arch = "s390x";
  d.os.machine = m.machine_type.empty() ? "s390-ccw-virtio" : m.machine_type;
  d.os.boot_certs = m.boot_certs;
  if (!m.boot_certs.empty()) d.os.boot_certs_form = BootCertsForm::kLibvirt;
  if (m.secure_boot) d.os.secure_boot = *m.secure_boot ? Tristate::kYes : Tristate::kNo;
  if (!m.cpu_model.empty()) {
    if (m.cpu_model == "host") d.cpu = Cpu{"host-passthrough", "", {}};
    else if (m.cpu_model == "max") d.cpu = Cpu{"maximum", "", {}};
    else d.cpu = Cpu{"custom", m.cpu_model, {}};
    // "-cpu MODEL,sipl=off": each NAME=on|off becomes <feature policy='require|disable'>.
    std::string_view rest = m.cpu_option;
    for (size_t c = rest.find(','); c != std::string_view::npos; c = rest.find(',')) {
      rest = rest.substr(c + 1);
      const std::string item(rest.substr(0, rest.find(',')));
      const size_t eq = item.find('=');
      if (eq == std::string::npos) continue;
      const std::string v = item.substr(eq + 1);
      const bool on = v == "on" || v == "yes" || v == "true" || v == "y";
      d.cpu->features.push_back({on ? "require" : "disable", item.substr(0, eq)});
    }
  }
  if (m.protected_virtualization) d.launch_security = "s390-pv";
  unsigned vd = 0, sd = 0;
  for (const auto& dev : m.devices) {
    if (dev.driver == "virtio-blk-ccw" || dev.driver == "virtio-blk-pci" || dev.driver == "scsi-hd" ||
        dev.driver == "scsi-cd") {
      auto r = resolve_drive(m, dev.drive);
      if (!r) return tl::unexpected(r.error());
      Disk disk;
      disk.type = r->protocol == "host_device" ? "block" : "file";
      disk.device = dev.driver == "scsi-cd" ? "cdrom" : "disk";
      disk.driver_name = "qemu";
      disk.driver_type = r->format;
      disk.source = r->filename;
      bool scsi = dev.driver.rfind("scsi-", 0) == 0;
      disk.target_dev = scsi ? disk_name("sd", sd++) : disk_name("vd", vd++);
      disk.target_bus = scsi ? "scsi" : "virtio";
      disk.boot = device_boot(dev, m);
      disk.address = dev.driver == "virtio-blk-pci" ? std::optional<DeviceAddress>(DeviceAddress{"pci", {}})
                                                    : ccw_address(dev);
      d.disks.push_back(std::move(disk));
    } else if (dev.driver == "virtio-net-ccw" || dev.driver == "virtio-net-pci") {
      Interface net;
      net.type = "ethernet";
      for (const auto& [id, type] : m.netdevs)
        if (id == dev.netdev) net.type = type == "tap" ? "ethernet" : type;
      net.model = "virtio";
      net.mac = dev.mac;
      net.boot = device_boot(dev, m);
      net.address = ccw_address(dev);
      d.interfaces.push_back(std::move(net));
    } else if (dev.driver == "vfio-ccw") {
      Hostdev h{"subsystem", "mdev", "vfio-ccw", device_boot(dev, m), ccw_address(dev), 0};
      d.hostdevs.push_back(std::move(h));
    } else if (dev.driver == "sclpconsole" || dev.driver == "sclplmconsole") {
      d.consoles.push_back(Console{"pty", dev.driver == "sclpconsole" ? "sclp" : "sclplm"});
    } else if (dev.driver == "virtio-balloon-ccw") {
      d.memballoon = Memballoon{"virtio", ccw_address(dev)};
    }
  }
  if (!d.memballoon) d.memballoon = Memballoon{"none", std::nullopt};
  return d;
}

}  // namespace sipl::mgmt
