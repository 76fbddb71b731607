// The libvirt domain model: the parts of a libvirt <domain> that s390x Secure IPL (secure
// boot for KVM guests on IBM Z) and a real s390x guest definition touch. Plain data, filled by
// DomainXml (domain_xml.h) or by the QEMU command-line parser (qemu_argv.h); no libxml2 types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipl::mgmt {

// libvirt's tri-state for <firmware><feature enabled='yes|no'>: absent, yes or no.
enum class Tristate { kAbsent, kYes, kNo };

// Which XML form carried the boot certificates.
enum class BootCertsForm {
  kNone,     // no <boot-certs>
  kLibvirt,  // <boot-certs><path>/abs</path>...</boot-certs> (the libvirt series, final)
  kSeed,     // repeated <boot-certs path='/abs'/> (the September 2025 proposal)
  kMixed,    // more than one form in one document
  // -machine boot-certs.N.path=...[,secure-boot=on] passed through libvirt's QEMU namespace
  // (<qemu:commandline><qemu:arg value='-machine'/><qemu:arg value='...'/>): the form for
  // libvirt before 12.9, which does not know <boot-certs>; QEMU merges repeated -machine options.
  kQemuCommandline,
};

// The XML namespace of libvirt's <qemu:commandline> passthrough.
inline constexpr const char* kQemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0";

// A channel-subsystem address <address type='ccw' cssid ssid devno> (values, not text).
struct CcwAddress {
  unsigned cssid = 0xfe;
  unsigned ssid = 0;
  unsigned devno = 0;
  bool operator==(const CcwAddress&) const = default;
};

// The per-device <boot order='N' loadparm='X'/>.
struct DeviceBoot {
  unsigned order = 0;            // 1-based
  std::optional<std::string> loadparm;
  bool operator==(const DeviceBoot&) const = default;
};

// A device address: ccw (the s390 default), pci or anything else (type kept verbatim).
struct DeviceAddress {
  std::string type;  // "ccw", "pci", ...
  std::optional<CcwAddress> ccw;
  bool operator==(const DeviceAddress&) const = default;
};

// <disk type device> with driver, source, target, boot and address.
struct Disk {
  std::string type = "file";     // file | block | ...
  std::string device = "disk";   // disk | cdrom | lun | floppy
  std::string driver_name;       // "qemu"
  std::string driver_type;       // raw | qcow2 | ...
  std::string source;            // source/@file or source/@dev
  std::string target_dev;        // vda
  std::string target_bus;        // virtio | scsi | ...
  std::optional<DeviceBoot> boot;
  std::optional<DeviceAddress> address;
  uint64_t line = 0;             // where it was read (0: not from XML)
  bool operator==(const Disk& o) const {
    return type == o.type && device == o.device && driver_name == o.driver_name &&
           driver_type == o.driver_type && source == o.source && target_dev == o.target_dev &&
           target_bus == o.target_bus && boot == o.boot && address == o.address;
  }
};

// <interface type> (model and boot only: enough to know a boot device is a network).
struct Interface {
  std::string type;   // network | bridge | user | ...
  std::string model;  // virtio
  std::string mac;
  std::optional<DeviceBoot> boot;
  std::optional<DeviceAddress> address;
  uint64_t line = 0;
  bool operator==(const Interface& o) const {
    return type == o.type && model == o.model && mac == o.mac && boot == o.boot &&
           address == o.address;
  }
};

// <hostdev mode type model> (enough to know a vfio-ccw passthrough boot device).
struct Hostdev {
  std::string mode;   // subsystem
  std::string type;   // mdev | scsi | pci | ...
  std::string model;  // vfio-ccw for mdev
  std::optional<DeviceBoot> boot;
  std::optional<DeviceAddress> address;
  uint64_t line = 0;
  bool operator==(const Hostdev& o) const {
    return mode == o.mode && type == o.type && model == o.model && boot == o.boot &&
           address == o.address;
  }
};

// <console type><target type port/></console>.
struct Console {
  std::string type = "pty";
  std::string target_type;  // sclp | sclplm | virtio
  bool operator==(const Console&) const = default;
};

// <memballoon model> with its ccw address.
struct Memballoon {
  std::string model = "virtio";
  std::optional<DeviceAddress> address;
  bool operator==(const Memballoon&) const = default;
};

// <os>: type/arch/machine, firmware selection, the boot certificates and os/boot.
struct Os {
  std::string type = "hvm";
  std::string arch;
  std::string machine;
  std::optional<std::string> firmware;  // os/@firmware verbatim (bios, efi, s390-ccw-bios)
  bool has_firmware_element = false;    // <firmware> present (even empty)
  Tristate secure_boot = Tristate::kAbsent;
  Tristate enrolled_keys = Tristate::kAbsent;
  std::vector<std::string> boot_certs;  // document order, both forms merged
  BootCertsForm boot_certs_form = BootCertsForm::kNone;
  std::vector<std::string> boot_devs;   // os/boot/@dev in order
  std::optional<std::string> loader;    // os/loader text (may be empty)
  std::optional<std::string> loader_type;
  std::optional<std::string> loader_secure;
  std::optional<std::string> nvram;     // os/nvram text
  uint64_t line = 0;
  bool secure_boot_in_qemu_commandline = false;  // secure-boot came from <qemu:commandline>
  bool boot_certs_in_qemu_commandline = false;   // some boot_certs came from <qemu:commandline>
  uint64_t boot_certs_line = 0;           // the first <boot-certs> element
  std::vector<uint64_t> boot_cert_lines;  // one per boot_certs entry
  bool operator==(const Os& o) const {
    return type == o.type && arch == o.arch && machine == o.machine && firmware == o.firmware &&
           secure_boot == o.secure_boot && enrolled_keys == o.enrolled_keys &&
           boot_certs == o.boot_certs && boot_devs == o.boot_devs && loader == o.loader &&
           loader_type == o.loader_type && loader_secure == o.loader_secure && nvram == o.nvram;
  }
};

// <cpu><feature policy name/>: a CPU feature forced on or off.
struct CpuFeature {
  std::string policy;  // force | require | optional | disable | forbid (require when absent)
  std::string name;    // QEMU's feature name: sipl, sclaf, cstore, ...
  bool operator==(const CpuFeature&) const = default;
};

// <cpu mode><model>...</model><feature .../>...</cpu>.
struct Cpu {
  std::string mode;   // custom | host-model | host-passthrough | maximum
  std::string model;  // gen16a, qemu, max ...
  std::vector<CpuFeature> features;  // document order
  bool operator==(const Cpu&) const = default;
};

// A whole <domain>.
struct Domain {
  std::string type;  // kvm | qemu
  std::string name;
  std::string uuid;
  uint64_t memory_kib = 0;
  unsigned vcpus = 1;
  Os os;
  std::optional<Cpu> cpu;
  std::string emulator;
  std::vector<Disk> disks;
  std::vector<Interface> interfaces;
  std::vector<Hostdev> hostdevs;
  std::vector<Console> consoles;
  std::optional<Memballoon> memballoon;
  std::optional<std::string> launch_security;  // launchSecurity/@type
  std::vector<std::string> qemu_commandline;   // <qemu:commandline>'s <qemu:arg value> in order
  bool operator==(const Domain&) const = default;
};

// Returns true when the domain is an s390x guest on an s390-ccw machine (libvirt's test).
bool is_s390_ccw(const Domain& d);

// Returns true when os/@firmware is the seed's "s390-ccw-bios".
bool uses_seed_firmware(const Domain& d);

// Returns "fe.0.0000": libvirt's spelling of a ccw address in QEMU's devno property.
std::string devno_string(const CcwAddress& a);

}  // namespace sipl::mgmt
