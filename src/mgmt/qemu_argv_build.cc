// Domain → QEMU command line in libvirt's order (qemuBuildCommandLine for s390x as seen in
// tests/qemuxmlconfdata/*s390*.s390x-latest.args).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

namespace {

using ojson = nlohmann::ordered_json;

std::string compact(const ojson& j) { return j.dump(); }

// libvirt's virDiskNameToIndex: "vda" → 0, "vdb" → 1, "vdaa" → 26.
unsigned disk_index(const std::string& dev) {
  size_t i = 0;
  for (const char* p : {"xvd", "ubd", "hd", "sd", "vd", "fd"}) {
    std::string_view pre(p);
    if (dev.rfind(pre, 0) == 0) {
      i = pre.size();
      break;
    }
  }
  unsigned idx = 0;
  bool any = false;
  for (; i < dev.size() && std::islower(static_cast<unsigned char>(dev[i])); ++i) {
    idx = (any ? (idx + 1) * 26 : 0) + static_cast<unsigned>(dev[i] - 'a');
    any = true;
  }
  return idx;
}

// Hands out ccw addresses to devices without one, in libvirt's device order, skipping the
// addresses written in the XML.
class CcwAllocator {
 public:
  explicit CcwAllocator(const Domain& d) {
    auto note = [this](const std::optional<DeviceAddress>& a) {
      if (a && a->ccw) used_.insert(key(*a->ccw));
    };
    for (const auto& x : d.disks) note(x.address);
    for (const auto& x : d.interfaces) note(x.address);
    for (const auto& x : d.hostdevs) note(x.address);
    if (d.memballoon) note(d.memballoon->address);
  }
  CcwAddress get(const std::optional<DeviceAddress>& a) {
    if (a && a->ccw) return *a->ccw;
    while (used_.count(next_) != 0) ++next_;
    CcwAddress out{0xfe, 0, next_ & 0xffff};
    used_.insert(next_);
    return out;
  }

 private:
  static unsigned key(const CcwAddress& a) {
    return a.cssid == 0xfe && a.ssid == 0 ? a.devno : 0x100000u + a.devno;
  }
  std::set<unsigned> used_;
  unsigned next_ = 0;
};

// libvirt's effective boot index per device when os/boot is used (first device per class).
struct BootPlan {
  std::vector<std::optional<unsigned>> disk;
  std::vector<std::optional<unsigned>> net;
};

BootPlan plan_boot(const Domain& d) {
  BootPlan p;
  p.disk.resize(d.disks.size());
  p.net.resize(d.interfaces.size());
  bool per_device = false;
  for (size_t i = 0; i < d.disks.size(); ++i)
    if (d.disks[i].boot) {
      per_device = true;
      p.disk[i] = d.disks[i].boot->order;
    }
  for (size_t i = 0; i < d.interfaces.size(); ++i)
    if (d.interfaces[i].boot) {
      per_device = true;
      p.net[i] = d.interfaces[i].boot->order;
    }
  if (per_device) return p;
  std::vector<std::string> devs = d.os.boot_devs;
  if (devs.empty()) devs.push_back("hd");
  for (size_t pos = 0; pos < devs.size(); ++pos) {
    unsigned idx = static_cast<unsigned>(pos + 1);
    if (devs[pos] == "network") {
      if (!p.net.empty() && !p.net[0]) p.net[0] = idx;
      continue;
    }
    for (size_t i = 0; i < d.disks.size(); ++i) {
      const auto& dev = d.disks[i].device;
      bool match = devs[pos] == "hd" ? (dev == "disk" || dev == "lun")
                                     : devs[pos] == "cdrom" ? dev == "cdrom" : dev == "floppy";
      if (match) {
        if (!p.disk[i]) p.disk[i] = idx;
        break;
      }
    }
  }
  return p;
}

std::string machine_name(const Domain& d, const ArgvOptions& o) {
  if (o.qemu && d.os.machine == "s390-ccw-virtio")
    return fmt::format("s390-ccw-virtio-{}.{}", o.qemu->major, o.qemu->minor);
  return d.os.machine;
}

// The loadparm of the device with boot order 1 (disks, then nets, then hostdevs).
std::optional<std::string> first_loadparm(const Domain& d) {
  for (const auto& x : d.disks)
    if (x.boot && x.boot->order == 1 && x.boot->loadparm) return x.boot->loadparm;
  for (const auto& x : d.interfaces)
    if (x.boot && x.boot->order == 1 && x.boot->loadparm) return x.boot->loadparm;
  for (const auto& x : d.hostdevs)
    if (x.boot && x.boot->order == 1 && x.boot->loadparm) return x.boot->loadparm;
  return std::nullopt;
}

// libvirt's qemuBuildCpuModelArgStr: the model, then ",NAME=on" for features with policy
// force/require and ",NAME=off" for disable/forbid (optional ones are left to QEMU).
// The model name is escaped for keyval (a comma doubled); feature names are QEMU's own.
std::string cpu_arg(const Domain& d) {
  std::string model = d.type == "kvm" ? "host" : "qemu";
  if (d.cpu) {
    if (d.cpu->mode == "host-model" || d.cpu->mode == "host-passthrough") model = "host";
    else if (d.cpu->mode == "maximum") model = "max";
    else if (!d.cpu->model.empty()) model = escape_keyval(d.cpu->model);
    for (const auto& f : d.cpu->features) {
      if (f.policy == "force" || f.policy == "require") model += "," + escape_keyval(f.name) + "=on";
      else if (f.policy == "disable" || f.policy == "forbid") model += "," + escape_keyval(f.name) + "=off";
    }
  }
  return model;
}

// QEMU's JSON options need UTF-8; ask the serializer that will write them (its strict
// decoder rejects overlong forms and surrogates too). The exception stays inside.
bool valid_utf8(std::string_view s) {
  try {
    (void)ojson(std::string(s)).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

Status check_json_strings(const Domain& d) {
  std::vector<std::string_view> strings{d.name};
  for (const auto& x : d.disks) {
    strings.push_back(x.source);
    strings.push_back(x.driver_type);
    if (x.boot && x.boot->loadparm) strings.push_back(*x.boot->loadparm);
  }
  for (const auto& x : d.interfaces) strings.push_back(x.mac);
  for (auto s : strings)
    if (!valid_utf8(s))
      return fail(ErrorCode::kBadInput,
                  "a name, path or property is not valid UTF-8; QEMU's JSON options cannot "
                  "carry it");
  return {};
}

}  // namespace

std::string escape_keyval(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

Result<QemuCommandLine> build_qemu_command_line(const Domain& d, const ArgvOptions& opts) {
  if (auto s = check_json_strings(d); !s) return tl::unexpected(s.error());
  QemuVersion qemu = opts.qemu.value_or(kQemuBootCerts);
  bool device_loadparm = qemu >= kQemuDeviceLoadparm;
  QemuCommandLine cl;
  const bool libvirt = !opts.runnable;  // libvirt's test-suite form, for comparing with libvirt
  std::string home = "/var/lib/libvirt/qemu/domain--1-" + d.name;
  if (libvirt)
    cl.env = {"LC_ALL=C", "PATH=/bin", "HOME=" + home, "USER=test", "LOGNAME=test",
              "XDG_DATA_HOME=" + home + "/.local/share", "XDG_CACHE_HOME=" + home + "/.cache",
              "XDG_CONFIG_HOME=" + home + "/.config"};
  cl.emulator = d.emulator.empty() ? "/usr/bin/qemu-system-s390x" : d.emulator;
  auto& a = cl.args;
  auto add = [&a](std::string opt, std::string val) {
    a.push_back(std::move(opt));
    a.push_back(std::move(val));
  };
  add("-name", "guest=" + escape_keyval(d.name) + ",debug-threads=on");
  if (libvirt) {
    a.push_back("-S");
    add("-object", compact(ojson{{"qom-type", "secret"}, {"id", "masterKey0"}, {"format", "raw"},
                                 {"file", home + "/master-key.aes"}}));
  }
  std::string machine = escape_keyval(machine_name(d, opts)) +
                        ",usb=off,dump-guest-core=off,memory-backend=s390.ram";
  if (!device_loadparm)
    if (auto lp = first_loadparm(d)) machine += ",loadparm=" + escape_keyval(*lp);
  if (d.launch_security == "s390-pv") machine += ",confidential-guest-support=lsec0";
  // The <qemu:commandline> form's options come at the end, where libvirt puts them.
  if (d.os.boot_certs_form != BootCertsForm::kQemuCommandline)
    for (size_t i = 0; i < d.os.boot_certs.size(); ++i)
      machine += fmt::format(",boot-certs.{}.path={}", i, escape_keyval(d.os.boot_certs[i]));
  if (d.os.secure_boot != Tristate::kAbsent && !d.os.secure_boot_in_qemu_commandline)
    machine += d.os.secure_boot == Tristate::kYes ? ",secure-boot=on" : ",secure-boot=off";
  add("-machine", machine);
  add("-accel", d.type == "kvm" ? "kvm" : "tcg");
  add("-cpu", cpu_arg(d));
  // s390 guests get memory in whole MiB (libvirt aligns up to 1024 KiB).
  uint64_t kib = (d.memory_kib + 1023) / 1024 * 1024;
  add("-m", fmt::format("size={}k", kib));
  add("-object", compact(ojson{{"qom-type", "memory-backend-ram"}, {"id", "s390.ram"},
                               {"size", kib * 1024}}));
  add("-overcommit", "mem-lock=off");
  add("-smp", fmt::format("{},sockets={},cores=1,threads=1", d.vcpus, d.vcpus));
  if (!d.uuid.empty()) add("-uuid", d.uuid);
  add("-display", "none");
  a.push_back("-no-user-config");
  a.push_back("-nodefaults");
  if (libvirt) {
    add("-chardev", "socket,id=charmonitor,fd=1729,server=on,wait=off");
    add("-mon", "chardev=charmonitor,id=monitor,mode=control");
  }
  add("-rtc", "base=utc");
  if (libvirt) a.push_back("-no-shutdown");
  add("-boot", "strict=on");

  CcwAllocator ccw(d);
  BootPlan boot = plan_boot(d);
  for (size_t i = 0; i < d.disks.size(); ++i) {
    const Disk& disk = d.disks[i];
    if (disk.target_bus != "virtio")
      return fail(ErrorCode::kUnsupported,
                  fmt::format("disk '{}': sipl writes command lines only for virtio disks, not "
                              "bus '{}'",
                              disk.target_dev, disk.target_bus));
    if (disk.address && disk.address->type != "ccw")
      return fail(ErrorCode::kUnsupported,
                  fmt::format("disk '{}': only ccw addresses are supported on s390x, not '{}'",
                              disk.target_dev, disk.address->type));
    size_t n = d.disks.size() - i;
    std::string storage = fmt::format("libvirt-{}-storage", n);
    std::string format = disk.driver_type.empty() ? "raw" : disk.driver_type;
    std::string proto = disk.type == "block" ? "host_device" : "file";
    bool ro = disk.device == "cdrom";
    std::string drive = storage;
    if (format == "raw") {
      add("-blockdev", compact(ojson{{"driver", proto}, {"filename", disk.source},
                                     {"node-name", storage}, {"read-only", ro}}));
    } else {
      drive = fmt::format("libvirt-{}-format", n);
      add("-blockdev", compact(ojson{{"driver", proto}, {"filename", disk.source},
                                     {"node-name", storage}, {"auto-read-only", true},
                                     {"discard", "unmap"}}));
      add("-blockdev", compact(ojson{{"node-name", drive}, {"read-only", ro}, {"driver", format},
                                     {"file", storage}}));
    }
    ojson dev{{"driver", "virtio-blk-ccw"}, {"devno", devno_string(ccw.get(disk.address))},
              {"drive", drive}, {"id", fmt::format("virtio-disk{}", disk_index(disk.target_dev))}};
    if (boot.disk[i]) dev["bootindex"] = *boot.disk[i];
    if (device_loadparm && disk.boot && disk.boot->loadparm) dev["loadparm"] = *disk.boot->loadparm;
    add("-device", compact(dev));
  }
  for (size_t i = 0; i < d.interfaces.size(); ++i) {
    const Interface& net = d.interfaces[i];
    if (net.type != "user")
      return fail(ErrorCode::kUnsupported,
                  fmt::format("interface type '{}': sipl writes command lines only for "
                              "type='user' interfaces",
                              net.type));
    std::string id = fmt::format("hostnet{}", i);
    add("-netdev", compact(ojson{{"type", "user"}, {"id", id}}));
    ojson dev{{"driver", "virtio-net-ccw"}, {"netdev", id}, {"id", fmt::format("net{}", i)}};
    if (!net.mac.empty()) dev["mac"] = net.mac;
    dev["devno"] = devno_string(ccw.get(net.address));
    if (boot.net[i]) dev["bootindex"] = *boot.net[i];
    if (device_loadparm && net.boot && net.boot->loadparm) dev["loadparm"] = *net.boot->loadparm;
    add("-device", compact(dev));
  }
  for (size_t i = 0; i < d.consoles.size(); ++i) {
    const Console& c = d.consoles[i];
    if (c.type != "pty" || (c.target_type != "sclp" && c.target_type != "sclplm"))
      return fail(ErrorCode::kUnsupported,
                  "sipl writes command lines only for <console type='pty'> with target sclp or "
                  "sclplm");
    // Run by hand, the first console is the terminal: the BIOS and Linux print there.
    const bool stdio = opts.runnable && i == 0;
    add("-chardev", fmt::format("{},id=charconsole{}", stdio ? "stdio" : "pty", i));
    add("-device", compact(ojson{{"driver", c.target_type == "sclp" ? "sclpconsole" : "sclplmconsole"},
                                 {"chardev", fmt::format("charconsole{}", i)},
                                 {"id", fmt::format("console{}", i)}}));
  }
  if (opts.runnable && d.consoles.empty()) {
    add("-chardev", "stdio,id=charconsole0");
    add("-device", compact(ojson{{"driver", "sclpconsole"}, {"chardev", "charconsole0"}, {"id", "console0"}}));
  }
  add("-audiodev", compact(ojson{{"id", "audio1"}, {"driver", "none"}}));
  if (!d.hostdevs.empty())
    return fail(ErrorCode::kUnsupported, "sipl does not write command lines for <hostdev>");
  if (!d.memballoon || d.memballoon->model == "virtio")
    add("-device", compact(ojson{{"driver", "virtio-balloon-ccw"}, {"id", "balloon0"},
                                 {"devno", devno_string(ccw.get(d.memballoon ? d.memballoon->address
                                                                             : std::nullopt))}}));
  if (d.launch_security == "s390-pv")
    add("-object", compact(ojson{{"qom-type", "s390-pv-guest"}, {"id", "lsec0"}}));
  a.insert(a.end(), d.qemu_commandline.begin(), d.qemu_commandline.end());
  if (libvirt) {
    add("-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    add("-msg", "timestamp=on");
  }
  return cl;
}

namespace {
std::string shell_quote(const std::string& s) {
  static const std::string_view special = " \t\n'\"\\$`{}[]*?;&|<>()~!#";
  if (!s.empty() && s.find_first_of(special) == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}
}  // namespace

std::string format_args_file(const QemuCommandLine& cl) {
  std::vector<std::string> lines;
  for (const auto& e : cl.env) lines.push_back(shell_quote(e));
  lines.push_back(shell_quote(cl.emulator));
  for (size_t i = 0; i < cl.args.size(); ++i) {
    std::string line = shell_quote(cl.args[i]);
    if (i + 1 < cl.args.size() && (cl.args[i + 1].empty() || cl.args[i + 1][0] != '-')) {
      line += ' ' + shell_quote(cl.args[i + 1]);
      ++i;
    }
    lines.push_back(std::move(line));
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    out += i + 1 < lines.size() ? " \\\n" : "\n";
  }
  return out;
}

}  // namespace sipl::mgmt
