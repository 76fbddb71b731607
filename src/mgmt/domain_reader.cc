#include "mgmt/domain_reader.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <map>
#include <string_view>

#include "mgmt/xml_node.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

namespace {

struct Reader {
  const std::string& source;
  const XmlLimits& limits;
  Findings& findings;

  void add(std::string id, std::string message, const xmlNode* at) {
    Finding f{Severity::kError, std::move(id), std::move(message), {}};
    if (at != nullptr && xml::line(at) != 0) {
      f.where = Location::at_line(source, xml::line(at));
      // Also a parameter: the JSON of schema version 2 has printed it there (docs/JSON.md).
      f.params.emplace_back("line", std::to_string(xml::line(at)));
    }
    findings.push_back(std::move(f));
  }
  void invalid_attr(const char* a, const xmlNode* n, const std::string& v) {
    add(ids::kXmlInvalidValue,
        fmt::format("XML error: Invalid value for attribute '{}' in element '{}': '{}'.", a,
                    reinterpret_cast<const char*>(n->name), v),
        n);
  }
  void missing_attr(const char* a, const xmlNode* n) {
    add(ids::kXmlMissingAttribute,
        fmt::format("XML error: Missing required attribute '{}' in element '{}'", a,
                    reinterpret_cast<const char*>(n->name)),
        n);
  }

  std::optional<DeviceBoot> boot(const xmlNode* dev) {
    const xmlNode* b = xml::child(dev, "boot");
    if (b == nullptr) return std::nullopt;
    DeviceBoot out;
    auto order = xml::attr(b, "order");
    if (!order) {
      missing_attr("order", b);
    } else {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(order->data(), order->data() + order->size(), v);
      if (ec != std::errc() || p != order->data() + order->size() || v == 0)
        add(ids::kBootOrderInvalid,
            fmt::format("internal error: incorrect boot order '{}', expecting positive integer",
                        *order),
            b);
      out.order = v;
    }
    if (auto lp = xml::attr(b, "loadparm")) {
      std::string up = *lp;
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (up.empty() || up.size() > 8) {
        add(ids::kBootLoadparmLength,
            fmt::format("internal error: loadparm value '{}' must be between 1 and 8 characters",
                        up),
            b);
      } else {
        for (char c : up) {
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != ' ') {
            add(ids::kBootLoadparmChars,
                fmt::format("internal error: invalid loadparm value '{}', expecting chars in set "
                            "of [a-zA-Z0-9.] and blank spaces",
                            up),
                b);
            break;
          }
        }
      }
      out.loadparm = up;
    }
    return out;
  }

  std::optional<DeviceAddress> address(const xmlNode* dev) {
    const xmlNode* a = xml::child(dev, "address");
    if (a == nullptr) return std::nullopt;
    DeviceAddress out;
    out.type = xml::attr(a, "type").value_or("");
    if (out.type == "ccw") {
      auto cssid = xml::attr(a, "cssid"), ssid = xml::attr(a, "ssid"),
           devno = xml::attr(a, "devno");
      if (cssid && ssid && devno) out.ccw = parse_ccw(*cssid, *ssid, *devno);
      if (!out.ccw)
        add(ids::kAddressCcwInvalid,
            fmt::format("XML error: Invalid specification for virtio ccw address: cssid='{}' "
                        "ssid='{}' devno='{}'",
                        cssid.value_or(""), ssid.value_or(""), devno.value_or("")),
            a);
    }
    return out;
  }

  Tristate tristate(const xmlNode* n) {
    auto v = xml::attr(n, "enabled");
    if (!v) {
      missing_attr("enabled", n);
      return Tristate::kAbsent;
    }
    if (*v == "yes") return Tristate::kYes;
    if (*v == "no") return Tristate::kNo;
    invalid_attr("enabled", n, *v);
    return Tristate::kAbsent;
  }

  Status boot_cert(const xmlNode* n, const xmlNode* element, Os& os, bool seed_form) {
    if (os.boot_certs.size() >= limits.max_boot_cert_paths)
      return fail(ErrorCode::kLimit,
                  fmt::format("too many boot certificate paths (more than {})",
                              limits.max_boot_cert_paths),
                  Location::at_line(source, xml::line(n)));
    if (os.boot_certs_line == 0) os.boot_certs_line = xml::line(element);
    os.boot_cert_lines.push_back(xml::line(n));
    BootCertsForm f = seed_form ? BootCertsForm::kSeed : BootCertsForm::kLibvirt;
    if (os.boot_certs_form == BootCertsForm::kNone) os.boot_certs_form = f;
    else if (os.boot_certs_form != f) os.boot_certs_form = BootCertsForm::kMixed;
    os.boot_certs.push_back(seed_form ? xml::attr(n, "path").value_or("") : xml::text(n));
    return {};
  }

  // The boot certificates and secure-boot of -machine options passed through
  // <qemu:commandline> (libvirt before 12.9), merged as QEMU merges repeated -machine options.
  Status read_qemu_machine(const xmlNode* element, Domain& d) {
    Os& os = d.os;
    const auto& args = d.qemu_commandline;
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] != "-machine" && args[i] != "-M") continue;
      auto kv = parse_keyval(args[i + 1], "type");
      if (!kv) {
        add(ids::kQemuCommandlineMachine, fmt::format("<qemu:commandline> -machine '{}': {}", args[i + 1], kv.error().message),
            element);
        continue;
      }
      std::map<size_t, std::string> certs;
      for (const auto& [k, v] : *kv) {
        if (k == "secure-boot") {
          if (v == "on" || v == "yes" || v == "true") os.secure_boot = Tristate::kYes;
          else if (v == "off" || v == "no" || v == "false") os.secure_boot = Tristate::kNo;
          else add(ids::kQemuCommandlineSecureBoot, fmt::format("<qemu:commandline> secure-boot='{}' is not on or off", v), element);
          os.secure_boot_in_qemu_commandline = true;
        } else if (k.rfind("boot-certs.", 0) == 0 && k.size() > 16 && k.compare(k.size() - 5, 5, ".path") == 0) {
          size_t n = 0;
          const std::string digits = k.substr(11, k.size() - 16);
          auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
          if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty()) continue;
          certs[n] = v;
        }
      }
      for (const auto& [n, path] : certs) {
        if (os.boot_certs.size() >= limits.max_boot_cert_paths)
          return fail(ErrorCode::kLimit, fmt::format("too many boot certificate paths (more than {})", limits.max_boot_cert_paths),
                      Location::at_line(source, xml::line(element)));
        if (os.boot_certs_line == 0) os.boot_certs_line = xml::line(element);
        os.boot_cert_lines.push_back(xml::line(element));
        if (os.boot_certs_form == BootCertsForm::kNone) os.boot_certs_form = BootCertsForm::kQemuCommandline;
        else if (os.boot_certs_form != BootCertsForm::kQemuCommandline) os.boot_certs_form = BootCertsForm::kMixed;
        os.boot_certs.push_back(path);
        os.boot_certs_in_qemu_commandline = true;
      }
    }
    return {};
  }

  Status read_os(const xmlNode* n, Os& os) {
    os.line = xml::line(n);
    os.firmware = xml::attr(n, "firmware");
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (xml::is(c, "type")) {
        os.type = xml::text(c);
        os.arch = xml::attr(c, "arch").value_or("");
        os.machine = xml::attr(c, "machine").value_or("");
      } else if (xml::is(c, "firmware")) {
        os.has_firmware_element = true;
        for (const xmlNode* f = c->children; f != nullptr; f = f->next) {
          if (!xml::is(f, "feature")) continue;
          auto name = xml::attr(f, "name");
          Tristate t = tristate(f);
          if (!name) missing_attr("name", f);
          else if (*name == "secure-boot") os.secure_boot = t;
          else if (*name == "enrolled-keys") os.enrolled_keys = t;
          else invalid_attr("name", f, *name);
        }
      } else if (xml::is(c, "boot-certs")) {
        if (xml::attr(c, "path")) {
          if (auto s = boot_cert(c, c, os, true); !s) return s;
        }
        bool any_path = false;
        for (const xmlNode* p = c->children; p != nullptr; p = p->next) {
          if (!xml::is(p, "path")) continue;
          any_path = true;
          if (auto s = boot_cert(p, c, os, false); !s) return s;
        }
        if (!any_path && !xml::attr(c, "path"))
          add(ids::kBootCertsEmpty,
              "unsupported configuration: <boot-certs> must contain at least one <path>", c);
      } else if (xml::is(c, "boot")) {
        auto dev = xml::attr(c, "dev");
        if (!dev) missing_attr("dev", c);
        else if (*dev != "hd" && *dev != "fd" && *dev != "cdrom" && *dev != "network")
          add(ids::kBootDevInvalid, fmt::format("XML error: unknown boot device '{}'", *dev), c);
        else os.boot_devs.push_back(*dev);
      } else if (xml::is(c, "loader")) {
        os.loader = xml::text(c);
        os.loader_type = xml::attr(c, "type");
        os.loader_secure = xml::attr(c, "secure");
      } else if (xml::is(c, "nvram")) {
        os.nvram = xml::text(c);
      }
    }
    if (os.firmware && *os.firmware != "bios" && *os.firmware != "efi" &&
        *os.firmware != "s390-ccw-bios")
      add(ids::kOsFirmwareUnknown,
          fmt::format("XML error: unknown firmware value {}", *os.firmware), n);
    return {};
  }

  void read_disk(const xmlNode* n, Domain& d) {
    Disk disk;
    disk.line = xml::line(n);
    disk.type = xml::attr(n, "type").value_or("file");
    disk.device = xml::attr(n, "device").value_or("disk");
    if (const xmlNode* drv = xml::child(n, "driver")) {
      disk.driver_name = xml::attr(drv, "name").value_or("");
      disk.driver_type = xml::attr(drv, "type").value_or("");
    }
    if (const xmlNode* src = xml::child(n, "source")) {
      auto f = xml::attr(src, disk.type == "block" ? "dev" : "file");
      disk.source = f.value_or("");
    }
    if (const xmlNode* t = xml::child(n, "target")) {
      disk.target_dev = xml::attr(t, "dev").value_or("");
      disk.target_bus = xml::attr(t, "bus").value_or("");
    }
    disk.boot = boot(n);
    disk.address = address(n);
    d.disks.push_back(std::move(disk));
  }

  void read_devices(const xmlNode* n, Domain& d) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (xml::is(c, "emulator")) {
        d.emulator = xml::text(c);
      } else if (xml::is(c, "disk")) {
        read_disk(c, d);
      } else if (xml::is(c, "interface")) {
        Interface i;
        i.line = xml::line(c);
        i.type = xml::attr(c, "type").value_or("");
        if (const xmlNode* m = xml::child(c, "model")) i.model = xml::attr(m, "type").value_or("");
        if (const xmlNode* m = xml::child(c, "mac")) i.mac = xml::attr(m, "address").value_or("");
        i.boot = boot(c);
        i.address = address(c);
        d.interfaces.push_back(std::move(i));
      } else if (xml::is(c, "hostdev")) {
        Hostdev h;
        h.line = xml::line(c);
        h.mode = xml::attr(c, "mode").value_or("");
        h.type = xml::attr(c, "type").value_or("");
        h.model = xml::attr(c, "model").value_or("");
        h.boot = boot(c);
        h.address = address(c);
        d.hostdevs.push_back(std::move(h));
      } else if (xml::is(c, "console")) {
        Console con;
        con.type = xml::attr(c, "type").value_or("pty");
        if (const xmlNode* t = xml::child(c, "target"))
          con.target_type = xml::attr(t, "type").value_or("");
        d.consoles.push_back(std::move(con));
      } else if (xml::is(c, "memballoon")) {
        Memballoon m;
        m.model = xml::attr(c, "model").value_or("");
        m.address = address(c);
        d.memballoon = std::move(m);
      }
    }
  }

  Status read(const xmlNode* root, Domain& d) {
    d.type = xml::attr(root, "type").value_or("");
    if (d.type.empty()) missing_attr("type", root);
    for (const xmlNode* c = root->children; c != nullptr; c = c->next) {
      if (xml::is(c, "name")) {
        d.name = xml::text(c);
      } else if (xml::is(c, "uuid")) {
        d.uuid = xml::text(c);
      } else if (xml::is(c, "memory")) {
        auto kib = scale_to_kib(xml::text(c), xml::attr(c, "unit").value_or("KiB"));
        if (!kib)
          add(ids::kMemoryInvalid,
              fmt::format("XML error: Invalid value '{}' for element or attribute 'memory'",
                          xml::text(c)),
              c);
        else d.memory_kib = *kib;
      } else if (xml::is(c, "vcpu")) {
        std::string t = xml::text(c);
        unsigned v = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size() || v == 0)
          add(ids::kVcpuInvalid, fmt::format("XML error: maximum vcpus count must be an integer"), c);
        else d.vcpus = v;
      } else if (xml::is(c, "os")) {
        if (auto s = read_os(c, d.os); !s) return s;
      } else if (xml::is(c, "cpu")) {
        Cpu cpu;
        cpu.mode = xml::attr(c, "mode").value_or("custom");
        if (const xmlNode* m = xml::child(c, "model")) cpu.model = xml::text(m);
        for (const xmlNode* f = c->children; f != nullptr; f = f->next) {
          if (!xml::is(f, "feature")) continue;
          auto name = xml::attr(f, "name");
          if (!name) {
            missing_attr("name", f);
            continue;
          }
          cpu.features.push_back({xml::attr(f, "policy").value_or("require"), *name});
        }
        d.cpu = std::move(cpu);
      } else if (xml::is(c, "devices")) {
        read_devices(c, d);
      } else if (xml::is(c, "launchSecurity")) {
        d.launch_security = xml::attr(c, "type").value_or("");
      } else if (c->type == XML_ELEMENT_NODE && c->ns != nullptr && c->ns->href != nullptr &&
                 std::string_view(reinterpret_cast<const char*>(c->ns->href)) == kQemuNamespace &&
                 std::string_view(reinterpret_cast<const char*>(c->name)) == "commandline") {
        for (const xmlNode* a = c->children; a != nullptr; a = a->next)
          if (a->type == XML_ELEMENT_NODE && a->ns == c->ns && std::string_view(reinterpret_cast<const char*>(a->name)) == "arg")
            d.qemu_commandline.push_back(xml::attr(a, "value").value_or(""));
        if (auto s = read_qemu_machine(c, d); !s) return s;
      }
    }
    if (d.name.empty()) add(ids::kDomainNameMissing, "XML error: missing domain name information", root);
    return {};
  }
};

std::optional<uint64_t> parse_uint(const std::string& s, int base_hint) {
  std::string_view v = s;
  int base = 10;
  if (base_hint == 0 && v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    v.remove_prefix(2);
    base = 16;
  }
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out, base);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<uint64_t> scale_to_kib(const std::string& value, const std::string& unit) {
  auto n = parse_uint(value, 10);
  if (!n) return std::nullopt;
  uint64_t scale = 0;
  std::string u;
  for (char c : unit) u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u == "b" || u == "bytes") scale = 1;
  else if (u == "kb") scale = 1000;
  else if (u == "k" || u == "kib") scale = 1024;
  else if (u == "mb") scale = 1000000;
  else if (u == "m" || u == "mib") scale = 1ULL << 20;
  else if (u == "gb") scale = 1000000000ULL;
  else if (u == "g" || u == "gib") scale = 1ULL << 30;
  else if (u == "tb") scale = 1000000000000ULL;
  else if (u == "t" || u == "tib") scale = 1ULL << 40;
  else return std::nullopt;
  if (*n > UINT64_MAX / scale) return std::nullopt;
  uint64_t bytes = *n * scale;
  return bytes / 1024 + (bytes % 1024 != 0 ? 1 : 0);
}

std::optional<CcwAddress> parse_ccw(const std::string& cssid, const std::string& ssid,
                                    const std::string& devno) {
  auto c = parse_uint(cssid, 0), s = parse_uint(ssid, 0), d = parse_uint(devno, 0);
  if (!c || !s || !d || *c > 0xfe || *s > 3 || *d > 0xffff) return std::nullopt;
  return CcwAddress{static_cast<unsigned>(*c), static_cast<unsigned>(*s),
                    static_cast<unsigned>(*d)};
}

Status read_domain(const xmlNode* root, const std::string& source, const XmlLimits& limits,
                   Domain& d, Findings& findings) {
  Reader r{source, limits, findings};
  return r.read(root, d);
}

}  // namespace sipl::mgmt
