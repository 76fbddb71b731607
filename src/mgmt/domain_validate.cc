#include "sipl/mgmt/domain_validate.h"

#include <fmt/format.h>

#include "sipl/hv/cpu_model.h"

#include <map>

namespace sipl::mgmt {

namespace {

class Checker {
 public:
  Checker(const Domain& d, const ValidationContext& ctx, Findings& out)
      : d_(d), ctx_(ctx), out_(out) {}

  void run() {
    firmware_rules();
    boot_cert_rules();
    boot_order_rules();
    if (wants_secure_ipl(d_)) {
      qemu_rules();
      boot_device_rules();
      environment_rules();
    }
  }

 private:
  void add(Severity s, std::string id, std::string msg, uint64_t line = 0,
           std::vector<std::pair<std::string, std::string>> params = {}) {
    Finding f{s, std::move(id), std::move(msg), std::move(params)};
    if (line != 0) {
      f.where.line = line;
      // Also a parameter: the JSON of schema version 2 has printed it there (docs/JSON.md).
      f.params.emplace_back("line", std::to_string(line));
    }
    out_.push_back(std::move(f));
  }
  void error(std::string id, std::string msg, uint64_t line = 0,
             std::vector<std::pair<std::string, std::string>> params = {}) {
    add(Severity::kError, std::move(id), std::move(msg), line, std::move(params));
  }

  bool s390x() const { return d_.os.arch == "s390x" || d_.os.arch == "s390"; }

  void firmware_rules() {
    const Os& os = d_.os;
    bool features = os.secure_boot != Tristate::kAbsent || os.enrolled_keys != Tristate::kAbsent;
    if (s390x()) {
      if (uses_seed_firmware(d_))
        add(Severity::kWarning, ids::kOsSeedFirmware,
            "firmware='s390-ccw-bios' is the September 2025 proposal's form; libvirt rejects "
            "it (unknown firmware value s390-ccw-bios): run 'sipl domain normalize'",
            os.line);
      else if (os.firmware == "efi" || os.firmware == "bios")
        error(ids::kOsFirmwareS390x,
              fmt::format("operation failed: Unable to find '{}' firmware that is compatible "
                          "with the current configuration",
                          *os.firmware),
              os.line);
      if (os.enrolled_keys != Tristate::kAbsent)
        error(ids::kFirmwareEnrolledKeysS390x,
              "unsupported configuration: firmware feature 'enrolled-keys' is not supported on "
              "s390x (secure IPL trusts the certificates in <boot-certs>)",
              os.line);
      if (os.loader_secure == "yes")
        error(ids::kLoaderSecureS390x,
              "unsupported configuration: Secure boot is supported with q35 machine types only",
              os.line);
      else if (os.loader && wants_secure_ipl(d_))
        error(ids::kLoaderS390x,
              "unsupported configuration: <loader> replaces the s390-ccw BIOS that performs the "
              "secure IPL checks; remove it to use boot certificates or secure-boot",
              os.line);
      if (os.nvram)
        error(ids::kNvramS390x,
              "unsupported configuration: <nvram> is not supported on s390x: the s390-ccw BIOS "
              "keeps no variable store",
              os.line);
      return;
    }
    // Other architectures: libvirt's generic rules (virDomainDefOSValidate).
    if (os.firmware && os.enrolled_keys == Tristate::kYes && os.secure_boot == Tristate::kNo)
      error(ids::kFirmwareEnrolledKeysWithoutSecureBoot,
            "firmware feature 'enrolled-keys' cannot be enabled when firmware feature "
            "'secure-boot' is disabled",
            os.line);
    if (!os.firmware && features)
      error(ids::kFirmwareFeaturesWithoutAutoselection,
            "cannot use feature-based firmware autoselection when firmware autoselection is "
            "disabled",
            os.line);
  }

  void boot_cert_rules() {
    const Os& os = d_.os;
    bool certs = os.boot_certs_form != BootCertsForm::kNone;
    if (certs && !s390x()) {
      error(ids::kBootCertsArch,
            fmt::format("unsupported configuration: boot certificates (<boot-certs>) are only "
                        "supported for s390x guests, not '{}'",
                        os.arch),
            os.boot_certs_line);
      return;
    }
    if (!s390x()) return;
    if ((certs || os.secure_boot != Tristate::kAbsent) && !is_s390_ccw(d_))
      error(ids::kBootCertsMachine,
            fmt::format("unsupported configuration: boot certificates and secure-boot need an "
                        "s390-ccw-virtio machine type, not '{}'",
                        os.machine),
            os.line);
    if (os.boot_certs_form == BootCertsForm::kSeed || os.boot_certs_form == BootCertsForm::kMixed)
      add(Severity::kWarning, ids::kBootCertsSeedForm,
          "<boot-certs path='...'/> is the September 2025 proposal's form; libvirt uses "
          "<boot-certs><path>...</path></boot-certs>: run 'sipl domain normalize'",
          os.boot_certs_line);
    if (os.boot_certs_form == BootCertsForm::kQemuCommandline || os.secure_boot_in_qemu_commandline)
      add(Severity::kInfo, ids::kBootCertsQemuCommandline,
          "boot certificates and secure-boot are -machine options passed through <qemu:commandline>, the form "
          "for libvirt before 12.9 ('sipl domain normalize' writes libvirt 12.9's <boot-certs>)",
          os.boot_certs_line);
    for (size_t i = 0; i < os.boot_certs.size(); ++i) {
      const std::string& p = os.boot_certs[i];
      uint64_t line = i < os.boot_cert_lines.size() ? os.boot_cert_lines[i] : os.boot_certs_line;
      if (p.empty())
        error(ids::kBootCertsEmptyPath, "Empty path in certificate path list is not allowed", line);
      else if (p.front() != '/')
        error(ids::kBootCertsRelativePath,
              fmt::format("unsupported configuration: boot certificate path '{}' must be "
                          "absolute",
                          p),
              line, {{"path", p}});
    }
    if (os.secure_boot == Tristate::kYes && os.boot_certs.empty())
      error(ids::kSecureBootNoCerts,
            "unsupported configuration: secure-boot is enabled but <boot-certs> names no "
            "certificate (the s390-ccw BIOS would stop: 'Need at least one certificate for "
            "secure boot!')",
            os.line);
  }

  template <typename Dev>
  void collect_orders(const std::vector<Dev>& devs, std::map<unsigned, int>& seen, bool& any) {
    for (const auto& dv : devs) {
      if (!dv.boot) continue;
      any = true;
      if (dv.boot->order != 0 && ++seen[dv.boot->order] == 2)
        error(ids::kBootOrderDuplicate,
              fmt::format("unsupported configuration: boot order '{}' used for more than one "
                          "device",
                          dv.boot->order),
              dv.line);
    }
  }

  void boot_order_rules() {
    std::map<unsigned, int> seen;
    bool any = false;
    collect_orders(d_.disks, seen, any);
    collect_orders(d_.interfaces, seen, any);
    collect_orders(d_.hostdevs, seen, any);
    if (any && !d_.os.boot_devs.empty())
      error(ids::kBootPerDeviceAndOs,
            "unsupported configuration: per-device boot elements cannot be used together with "
            "os/boot elements",
            d_.os.line);
  }

  void qemu_rules() {
    if (ctx_.qemu && *ctx_.qemu < kQemuBootCerts)
      error(ids::kQemuTooOld,
            fmt::format("unsupported configuration: boot certificates and secure-boot need QEMU "
                        "{} or newer; this QEMU is {}",
                        kQemuBootCerts.to_string(), ctx_.qemu->to_string()),
            0, {{"qemu_version", ctx_.qemu->to_string()}});
    else if (ctx_.probe_boot_certs == false)
      error(ids::kQemuNoBootCerts,
            "unsupported configuration: this QEMU binary has no 'boot-certs' and 'secure-boot' "
            "machine properties");
  }

  void refuse_disk(const Disk& disk) {
    if (disk.device == "cdrom")
      error(ids::kBootCdrom, "Secure boot from ISO image is not supported!", disk.line);
    else if (disk.address && disk.address->type == "pci")
      error(ids::kBootVirtioPci, "Virtio pci boot device does not support secure boot!", disk.line);
    else if (disk.target_bus != "virtio" && disk.target_bus != "scsi")
      error(ids::kBootDiskBus,
            fmt::format("unsupported configuration: secure IPL boots only from virtio-blk or "
                        "virtio-scsi disks, not from bus '{}'",
                        disk.target_bus),
            disk.line);
  }

  void boot_device_rules() {
    bool per_device = false;
    for (const auto& disk : d_.disks)
      if (disk.boot) {
        per_device = true;
        refuse_disk(disk);
      }
    for (const auto& i : d_.interfaces)
      if (i.boot) {
        per_device = true;
        error(ids::kBootNet, "Virtio net boot device does not support secure boot!", i.line);
      }
    for (const auto& h : d_.hostdevs)
      if (h.boot) {
        per_device = true;
        error(ids::kBootVfio, "Passthrough (vfio) CCW device does not support secure boot!", h.line);
      }
    if (per_device) return;
    // os/boot (libvirt's default is <boot dev='hd'/>): the first device of each listed class.
    std::vector<std::string> devs = d_.os.boot_devs;
    if (devs.empty()) devs.push_back("hd");
    bool found = false;
    for (const auto& dev : devs) {
      if (dev == "network") {
        if (!d_.interfaces.empty()) {
          found = true;
          error(ids::kBootNet, "Virtio net boot device does not support secure boot!",
                d_.interfaces.front().line);
        }
        continue;
      }
      for (const auto& disk : d_.disks) {
        bool match = dev == "hd" ? (disk.device == "disk" || disk.device == "lun")
                                 : dev == "cdrom" ? disk.device == "cdrom" : disk.device == "floppy";
        if (!match) continue;
        found = true;
        refuse_disk(disk);
        break;
      }
    }
    if (!found) error(ids::kBootNone, "No boot device defined for Secure IPL", d_.os.line);
  }

  void environment_rules() {
    if (d_.launch_security == "s390-pv")
      error(ids::kLaunchSecurityPv,
            "unsupported configuration: the Secure IPL facilities (sipl, sclaf, cstore) are "
            "hidden from protected-virtualization (s390-pv) guests");
    if (d_.cpu) cpu_rules(*d_.cpu);
  }

  // The CPU QEMU gets (the -cpu libvirt writes) must exist and carry sipl, sclaf and cstore.
  void cpu_rules(const Cpu& cpu) {
    std::string option = cpu.mode == "custom" ? cpu.model : cpu.mode == "maximum" ? "max" : "host";
    if (option.empty()) return;
    for (const auto& f : cpu.features) {
      if (f.policy == "force" || f.policy == "require") option += "," + f.name + "=on";
      else if (f.policy == "disable" || f.policy == "forbid") option += "," + f.name + "=off";
    }
    auto m = hv::parse_cpu_option(option, cpu.mode != "custom" || d_.type == "kvm");
    if (!m) {
      error(ids::kCpuModelUnknown,
            fmt::format("unsupported configuration: QEMU refuses -cpu {}: {} (QEMU's z16 models are gen16a and "
                        "gen16b)",
                        option, m.error().message));
      return;
    }
    std::vector<std::string> missing;
    if (!m->facilities.sipl) missing.emplace_back("sipl");
    if (!m->facilities.sclaf) missing.emplace_back("sclaf");
    if (!m->facilities.cstore) missing.emplace_back("cstore");
    if (missing.empty()) return;
    std::string list;
    for (const auto& x : missing) list += (list.empty() ? "" : ", ") + x;
    add(Severity::kWarning, ids::kCpuModelLacksSipl,
        fmt::format("CPU '{}' lacks the Secure IPL facilities ({}): the BIOS stops with 'Unable to boot in "
                    "secure/audit mode'; use gen16a, gen16b or newer, qemu, max or host-model, without "
                    "disabling them",
                    option, list));
  }

  const Domain& d_;
  const ValidationContext& ctx_;
  Findings& out_;
};

}  // namespace

bool wants_secure_ipl(const Domain& d) {
  return !d.os.boot_certs.empty() || d.os.secure_boot == Tristate::kYes;
}

Findings validate_domain(const Domain& d, const ValidationContext& ctx) {
  Findings out;
  Checker(d, ctx, out).run();
  return out;
}

Findings validate_domain(const DomainXml& x, const ValidationContext& ctx) {
  Findings out = x.parse_findings();
  Findings more = validate_domain(x.domain(), ctx);
  for (Finding& f : more)
    if (f.where.line && f.where.path.empty()) f.where.path = x.source_name();
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

bool has_errors(const Findings& f) {
  for (const auto& x : f)
    if (x.severity == Severity::kError) return true;
  return false;
}

bool only_environment_errors(const Findings& f) {
  bool any = false;
  for (const auto& x : f) {
    if (x.severity != Severity::kError) continue;
    if (x.id.rfind("qemu.", 0) != 0) return false;  // qemu.too_old, qemu.no_boot_certs
    any = true;
  }
  return any;
}

}  // namespace sipl::mgmt
