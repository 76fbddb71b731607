// QEMU command line → MachineConfig. Accepts what libvirt writes (JSON -blockdev/-device)
// and what people type (-drive, keyval -device, -M, -enable-kvm, -m 2G).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "sipl/hv/machine_type.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

namespace {

using json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kMaxArgs = 100000;
constexpr size_t kMaxBootCertIndex = 1024;

std::optional<uint64_t> to_u64(std::string_view s, int base = 10) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// qapi_bool_parse's spellings.
std::optional<bool> to_bool(const std::string& v) {
  if (v == "on" || v == "yes" || v == "true" || v == "y") return true;
  if (v == "off" || v == "no" || v == "false" || v == "n") return false;
  return std::nullopt;
}

// "fe.0.0000" → CcwAddress.
std::optional<CcwAddress> parse_devno(const std::string& s) {
  auto d1 = s.find('.');
  auto d2 = d1 == std::string::npos ? d1 : s.find('.', d1 + 1);
  if (d2 == std::string::npos) return std::nullopt;
  auto c = to_u64(std::string_view(s).substr(0, d1), 16);
  auto ss = to_u64(std::string_view(s).substr(d1 + 1, d2 - d1 - 1), 16);
  auto dv = to_u64(std::string_view(s).substr(d2 + 1), 16);
  if (!c || !ss || !dv || *c > 0xfe || *ss > 3 || *dv > 0xffff) return std::nullopt;
  return CcwAddress{static_cast<unsigned>(*c), static_cast<unsigned>(*ss),
                    static_cast<unsigned>(*dv)};
}

// QEMU sizes: plain numbers are MiB for -m; suffixes k, M, G, T (binary).
std::optional<uint64_t> size_to_kib(std::string s) {
  if (s.empty()) return std::nullopt;
  uint64_t mult_kib = 1024;  // MiB default
  char last = s.back();
  if (std::isalpha(static_cast<unsigned char>(last))) {
    s.pop_back();
    switch (std::tolower(static_cast<unsigned char>(last))) {
      case 'k': mult_kib = 1; break;
      case 'm': mult_kib = 1024; break;
      case 'g': mult_kib = 1024 * 1024; break;
      case 't': mult_kib = 1024ULL * 1024 * 1024; break;
      default: return std::nullopt;
    }
  }
  auto v = to_u64(s);
  if (!v || *v > UINT64_MAX / mult_kib) return std::nullopt;
  return *v * mult_kib;
}

std::string get(const Pairs& p, const std::string& key) {
  for (const auto& [k, v] : p)
    if (k == key) return v;
  return {};
}

class Parser {
 public:
  explicit Parser(MachineConfig& m) : m_(m) {}

  Status option(const std::string& opt, const std::string& val, size_t index) {
    where_ = index + 1;  // 1-based, as people count arguments
    if (opt == "-machine" || opt == "-M") return machine(val);
    if (opt == "-name") {
      auto kv = keyval(val, "guest");
      if (!kv) return tl::unexpected(kv.error());
      m_.name = get(*kv, "guest");
      return {};
    }
    if (opt == "-accel") {
      auto kv = keyval(val, "accel");
      if (!kv) return tl::unexpected(kv.error());
      m_.accel = get(*kv, "accel");
      return {};
    }
    if (opt == "-cpu") {
      // parse_cpu_option: the last -cpu wins; its first comma-separated piece is the model.
      m_.cpu_option = val;
      m_.cpu_model = val.substr(0, val.find(','));
      return {};
    }
    if (opt == "-kernel" || opt == "-initrd") {
      if (!m_.direct_kernel || opt == "-kernel") m_.direct_kernel = opt + " " + val;
      return {};
    }
    if (opt == "-m") {
      auto kv = keyval(val, "size");
      if (!kv) return tl::unexpected(kv.error());
      auto kib = size_to_kib(get(*kv, "size"));
      if (!kib) return bad(fmt::format("-m '{}' is not a memory size", val));
      m_.memory_kib = *kib;
      return {};
    }
    if (opt == "-smp") {
      auto kv = keyval(val, "cpus");
      if (!kv) return tl::unexpected(kv.error());
      auto n = to_u64(get(*kv, "cpus"));
      if (!n || *n == 0 || *n > 4096) return bad(fmt::format("-smp '{}' has no CPU count", val));
      m_.vcpus = static_cast<unsigned>(*n);
      return {};
    }
    if (opt == "-uuid") {
      m_.uuid = val;
      return {};
    }
    if (opt == "-blockdev") return blockdev(val);
    if (opt == "-drive") return drive(val);
    if (opt == "-device") return device(val);
    if (opt == "-netdev") {
      auto p = object_or_keyval(val, "type");
      if (!p) return tl::unexpected(p.error());
      m_.netdevs.emplace_back(get(*p, "id"), get(*p, "type"));
      return {};
    }
    if (opt == "-object") {
      auto p = object_or_keyval(val, "qom-type");
      if (!p) return tl::unexpected(p.error());
      if (get(*p, "qom-type") == "s390-pv-guest") pv_object_ = true;
      return {};
    }
    m_.ignored.push_back(opt);
    return {};
  }

  // What QEMU checks when it creates the machine: the type, then each -machine property.
  Status finish() {
    m_.protected_virtualization = m_.protected_virtualization && pv_object_;
    auto qom = hv::machine_qom_type(m_.machine_type.empty() ? "s390-ccw-virtio" : m_.machine_type);
    if (!qom) return tl::unexpected(qom.error());
    for (const auto& [k, val] : m_.machine_properties)
      if (auto s = hv::check_machine_property(*qom, k, val); !s) return s;
    return {};
  }

 private:
  tl::unexpected<Error> bad(std::string msg) {
    return fail(ErrorCode::kBadInput, fmt::format("argument {}: {}", where_, msg), Location::at_argv(where_ - 1));
  }

  Result<Pairs> keyval(const std::string& v, const char* implied) {
    auto kv = parse_keyval(v, implied);
    if (!kv) return bad(kv.error().message);
    return kv;
  }

  // JSON objects are flattened one level (nested objects become "a.b" keys).
  Result<Pairs> object_or_keyval(const std::string& v, const char* implied) {
    if (v.empty() || v[0] != '{') return keyval(v, implied);
    json j = json::parse(v, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(fmt::format("'{}' is not a JSON object", v));
    Pairs out;
    for (auto& [k, x] : j.items()) {
      if (x.is_string()) out.emplace_back(k, x.get<std::string>());
      else if (x.is_boolean()) out.emplace_back(k, x.get<bool>() ? "on" : "off");
      else if (x.is_number_unsigned()) out.emplace_back(k, std::to_string(x.get<uint64_t>()));
      else if (x.is_number_integer()) out.emplace_back(k, std::to_string(x.get<int64_t>()));
      else if (x.is_object())
        for (auto& [k2, y] : x.items())
          if (y.is_string()) out.emplace_back(k + "." + k2, y.get<std::string>());
    }
    return out;
  }

  Status machine(const std::string& v) {
    auto kv = parse_machine_option(v);
    if (!kv) return tl::unexpected(kv.error());
    std::map<size_t, std::string> certs;
    for (const auto& [k, val] : *kv) {
      m_.machine_properties.emplace_back(k, val);
      if (k == "type") m_.machine_type = val;
      else if (k == "accel") m_.accel = val;
      else if (k == "loadparm") m_.machine_loadparm = val;
      else if (k == "confidential-guest-support") m_.protected_virtualization = true;
      else if ((k == "kernel" || k == "initrd") && (!m_.direct_kernel || k == "kernel"))
        m_.direct_kernel = fmt::format("-machine {}={}", k, val);
      else if (k == "secure-boot") {
        m_.secure_boot = to_bool(val);  // a bad value is refused with QEMU's words in finish()
      } else if (k.rfind("boot-certs.", 0) == 0) {
        auto dot = k.find('.', 11);
        auto idx = dot == std::string::npos ? std::nullopt
                                            : to_u64(std::string_view(k).substr(11, dot - 11));
        if (!idx || k.substr(dot + 1) != "path" || *idx >= kMaxBootCertIndex)
          return bad(fmt::format("'{}' is not boot-certs.N.path", k));
        certs[*idx] = val;
      }
    }
    // QEMU's keyval lists must be dense from 0.
    size_t expect = 0;
    for (const auto& [i, p] : certs) {
      if (i != expect) return bad(fmt::format("boot-certs.{}.path is missing", expect));
      ++expect;
    }
    if (!certs.empty()) {
      m_.boot_certs.clear();
      for (auto& [i, p] : certs) m_.boot_certs.push_back(p);
    }
    return {};
  }

  Status blockdev(const std::string& v) {
    auto p = object_or_keyval(v, "driver");
    if (!p) return tl::unexpected(p.error());
    QemuBlockNode n;
    n.driver = get(*p, "driver");
    n.node_name = get(*p, "node-name");
    n.filename = get(*p, "filename");
    n.read_only = get(*p, "read-only") == "on";
    std::string file = get(*p, "file");
    std::string file_driver = get(*p, "file.driver");
    if (!file_driver.empty()) {
      // Inline protocol child: record it as its own node.
      QemuBlockNode child;
      child.node_name = n.node_name + "#file";
      child.driver = file_driver;
      child.filename = get(*p, "file.filename");
      m_.block_nodes.push_back(child);
      file = child.node_name;
    }
    n.file_ref = file;
    if (n.node_name.empty()) return bad("-blockdev without node-name");
    m_.block_nodes.push_back(std::move(n));
    return {};
  }

  Status drive(const std::string& v) {
    auto kv = keyval(v, "file");
    if (!kv) return tl::unexpected(kv.error());
    QemuBlockNode n;
    n.from_drive = true;
    n.filename = get(*kv, "file");
    n.format = get(*kv, "format");
    n.read_only = to_bool(get(*kv, "readonly")).value_or(false);
    n.driver = "file";
    std::string iface = get(*kv, "if");
    n.node_name = get(*kv, "id");
    if (n.node_name.empty()) n.node_name = fmt::format("drive{}", drive_count_);
    ++drive_count_;
    if (iface.empty() || iface == "virtio") {
      QemuDevice dev;
      dev.driver = "virtio-blk-ccw";
      dev.drive = n.node_name;
      m_.devices.push_back(std::move(dev));
    } else if (iface != "none") {
      return bad(fmt::format("-drive if={} is not supported on s390x (use if=none or virtio)", iface));
    }
    m_.block_nodes.push_back(std::move(n));
    return {};
  }

  Status device(const std::string& v) {
    auto p = object_or_keyval(v, "driver");
    if (!p) return tl::unexpected(p.error());
    QemuDevice d;
    d.driver = get(*p, "driver");
    d.id = get(*p, "id");
    d.drive = get(*p, "drive");
    d.netdev = get(*p, "netdev");
    d.chardev = get(*p, "chardev");
    d.mac = get(*p, "mac");
    std::string devno = get(*p, "devno");
    if (!devno.empty()) {
      d.devno = parse_devno(devno);
      if (!d.devno) return bad(fmt::format("devno '{}' is not a ccw address like fe.0.0001", devno));
    }
    std::string bi = get(*p, "bootindex");
    if (!bi.empty()) {
      auto n = to_u64(bi);
      if (!n || *n > 0xffff) return bad(fmt::format("bootindex '{}' is not a number", bi));
      d.bootindex = static_cast<unsigned>(*n);
    }
    std::string lp = get(*p, "loadparm");
    if (!lp.empty()) d.loadparm = lp;
    if (d.driver.empty()) return bad("-device without driver");
    m_.devices.push_back(std::move(d));
    return {};
  }

  MachineConfig& m_;
  size_t where_ = 0;
  size_t drive_count_ = 0;
  bool pv_object_ = false;
};

// Arguments end up in JSON and XML, both UTF-8 only (the serializer's strict decoder decides).
bool valid_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

bool takes_no_value(const std::string& opt) {
  static const std::set<std::string> flags = {
      "-S", "-nodefaults", "-no-user-config", "-no-shutdown", "-no-reboot", "-enable-kvm",
      "-nographic", "-snapshot", "-daemonize", "-s", "-no-hpet", "-full-screen"};
  return flags.count(opt) != 0;
}

}  // namespace

Result<Pairs> parse_keyval(std::string_view s, const char* implied_key) {
  Pairs out;
  std::string item;
  auto flush = [&](bool first) -> Status {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      if (first && implied_key != nullptr) out.emplace_back(implied_key, item);
      else if (!item.empty()) out.emplace_back(item, "on");
    } else {
      if (eq == 0) return fail(ErrorCode::kBadInput, fmt::format("empty key in '{}'", s));
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    item.clear();
    return {};
  };
  bool first = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',') {
      if (i + 1 < s.size() && s[i + 1] == ',') {
        item += ',';
        ++i;
        continue;
      }
      if (auto st = flush(first); !st) return tl::unexpected(st.error());
      first = false;
      continue;
    }
    item += s[i];
  }
  if (auto st = flush(first); !st) return tl::unexpected(st.error());
  return out;
}

Result<MachineConfig> parse_qemu_argv(const std::vector<std::string>& argv) {
  if (argv.size() > kMaxArgs)
    return fail(ErrorCode::kLimit, fmt::format("more than {} arguments", kMaxArgs));
  for (size_t k = 0; k < argv.size(); ++k)
    if (!valid_utf8(argv[k]))
      return fail(ErrorCode::kBadInput, fmt::format("argument {} is not valid UTF-8", k + 1), Location::at_argv(k));
  MachineConfig m;
  size_t i = 0;
  // Leading VAR=value words (an .args file's environment) and the emulator.
  while (i < argv.size() && !argv[i].empty() && argv[i][0] != '-' &&
         argv[i].find('=') != std::string::npos && argv[i].find('/') > argv[i].find('='))
    ++i;
  if (i < argv.size() && !argv[i].empty() && argv[i][0] != '-') m.emulator = argv[i++];
  Parser p(m);
  for (; i < argv.size(); ++i) {
    const std::string& opt = argv[i];
    if (opt.empty() || opt[0] != '-')
      return fail(ErrorCode::kBadInput, fmt::format("argument {}: '{}' is not an option", i + 1, opt),
                  Location::at_argv(i));
    std::string o = opt.rfind("--", 0) == 0 ? opt.substr(1) : opt;
    if (o == "-enable-kvm") {
      m.accel = "kvm";
      continue;
    }
    if (takes_no_value(o)) continue;
    if (i + 1 >= argv.size())
      return fail(ErrorCode::kBadInput, fmt::format("argument {}: {} needs a value", i + 1, opt), Location::at_argv(i));
    if (auto s = p.option(o, argv[i + 1], i + 1); !s) return tl::unexpected(s.error());
    ++i;
  }
  if (auto s = p.finish(); !s) return tl::unexpected(s.error());
  if (m.accel.empty()) m.accel = "tcg";
  return m;
}

Result<ResolvedDrive> resolve_drive(const MachineConfig& m, const std::string& drive_ref) {
  static const std::set<std::string> formats = {"raw", "qcow2", "qed", "vmdk", "vdi", "vpc",
                                                "vhdx", "luks", "parallels", "bochs", "cloop"};
  ResolvedDrive r;
  std::string ref = drive_ref;
  for (int hops = 0; hops < 8; ++hops) {
    const QemuBlockNode* n = nullptr;
    for (const auto& b : m.block_nodes)
      if (b.node_name == ref) n = &b;
    if (n == nullptr)
      return fail(ErrorCode::kBadInput, fmt::format("drive '{}' names no -blockdev or -drive", ref));
    r.read_only = r.read_only || n->read_only;
    if (n->from_drive) {
      r.filename = n->filename;
      r.protocol = "file";
      r.format = n->format.empty() ? "raw" : n->format;
      return r;
    }
    if (formats.count(n->driver) != 0) {
      if (r.format.empty()) r.format = n->driver;
      ref = n->file_ref;
      continue;
    }
    r.filename = n->filename;
    r.protocol = n->driver;
    if (r.format.empty()) r.format = "raw";
    return r;
  }
  return fail(ErrorCode::kBadInput, fmt::format("drive '{}': block node chain too long or cyclic", drive_ref));
}

}  // namespace sipl::mgmt
