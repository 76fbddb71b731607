// QEMU's s390x CPU models. The model list is target/s390x/cpu_models.c s390_cpu_defs (each
// also as a static "-base" model) plus "qemu" and "max", and "host" under KVM. The Secure IPL
// features are in gen-features.c's full_GEN16_GA1 (so the full gen16 and gen17 models carry
// them) and in qemu_MAX (the "qemu" model of the newest machine and "max"); no "-base" model
// and no older generation has them. "host" gets them from the host; a z16 or newer host is
// assumed (QEMU's own secure IPL test skips hosts without them).
#include "sipl/hv/cpu_model.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace sipl::hv {
namespace {

constexpr const char* kDefs[] = {
    "z900",    "z900.2",  "z900.3", "z800",    "z990",    "z990.2",   "z990.3",  "z890",  "z990.4", "z890.2",
    "z990.5",  "z890.3",  "z9EC",   "z9EC.2",  "z9BC",    "z9EC.3",   "z9BC.2",  "z10EC", "z10EC.2", "z10BC",
    "z10EC.3", "z10BC.2", "z196",   "z196.2",  "z114",    "zEC12",    "zEC12.2", "zBC12", "z13",     "z13.2",
    "z13s",    "z14",     "z14.2",  "z14ZR1",  "gen15a",  "gen15b",   "gen16a",  "gen16b", "gen17a",  "gen17b",
};

bool has_secure_ipl_features(const std::string& model) {
  if (model == "qemu" || model == "max" || model == "host") return true;
  return model == "gen16a" || model == "gen16b" || model == "gen17a" || model == "gen17b";
}

// qapi_bool_parse: the spellings the string input visitor accepts for a bool property.
std::optional<bool> qapi_bool(const std::string& v) {
  if (v == "on" || v == "yes" || v == "true" || v == "y") return true;
  if (v == "off" || v == "no" || v == "false" || v == "n") return false;
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& cpu_model_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n{"qemu", "max"};
    for (const char* d : kDefs) {
      n.push_back(std::string(d) + "-base");
      n.emplace_back(d);
    }
    return n;
  }();
  return names;
}

Result<CpuModel> parse_cpu_option(std::string_view option, bool kvm) {
  // parse_cpu_option: g_strsplit(option, ",", 2); the model is the first piece.
  const size_t comma = option.find(',');
  CpuModel m;
  m.name = std::string(option.substr(0, comma));
  const auto& names = cpu_model_names();
  const bool known = std::find(names.begin(), names.end(), m.name) != names.end() || (m.name == "host" && kvm);
  if (!known) return fail(ErrorCode::kUnsupported, fmt::format("unable to find CPU model '{}'", m.name));
  m.qom_type = m.name + "-s390x-cpu";
  const bool full = has_secure_ipl_features(m.name);
  m.facilities = {full, full, full};
  if (comma == std::string_view::npos) return m;
  // cpu_common_parse_features: "key=value" items, each a global property of the CPU class.
  std::string_view rest = option.substr(comma + 1);
  while (true) {
    const size_t next = rest.find(',');
    const std::string item(rest.substr(0, next));
    if (!item.empty()) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos)
        return fail(ErrorCode::kUnsupported, fmt::format("Expected key=value format, found {}.", item));
      const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
      bool* flag = key == "sipl" ? &m.facilities.sipl
                   : key == "sclaf" ? &m.facilities.sclaf
                   : key == "cstore" ? &m.facilities.cstore
                                     : nullptr;
      if (flag == nullptr) {
        m.other_features.emplace_back(key, value);
      } else {
        auto b = qapi_bool(value);
        if (!b)
          return fail(ErrorCode::kUnsupported,
                      fmt::format("can't apply global {}.{}={}: Parameter '{}' expects 'on' or 'off'", m.qom_type,
                                  key, value, key));
        *flag = *b;
      }
    }
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return m;
}

Result<CpuFacilities> cpu_facilities(std::string_view option, bool kvm) {
  auto m = parse_cpu_option(option, kvm);
  if (!m) return tl::unexpected(m.error());
  return m->facilities;
}

}  // namespace sipl::hv
