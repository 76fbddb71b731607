// The property list is what `qemu-system-s390x -machine s390-ccw-virtio,help` prints (Debian's
// QEMU 7.2) plus what later QEMU added to every machine (smp-cache 9.2, aux-ram-share 10.0)
// and the secure IPL series' boot-certs and secure-boot (11.2). "type" is keyval's implied key
// and "accel" the legacy spelling of -accel, both taken before the machine is created.
#include "sipl/hv/machine_type.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace sipl::hv {
namespace {

struct Property {
  const char* name;
  bool is_bool;
};

constexpr Property kProperties[] = {
    {"type", false},          {"accel", false},           {"aes-key-wrap", true},
    {"append", false},        {"boot", false},            {"confidential-guest-support", false},
    {"dea-key-wrap", true},   {"dt-compatible", false},   {"dtb", false},
    {"dump-guest-core", true}, {"dumpdtb", false},        {"firmware", false},
    {"graphics", true},       {"initrd", false},          {"kernel", false},
    {"loadparm", false},      {"mem-merge", true},        {"memory-backend", false},
    {"memory-encryption", false}, {"memory", false},      {"phandle-start", false},
    {"smp", false},           {"suppress-vmdesc", true},  {"usb", true},
    {"smp-cache", false},     {"aux-ram-share", true},    {"boot-certs", false},
    {"secure-boot", true},
};

std::optional<unsigned> number(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::string> machine_qom_type(std::string_view type) {
  constexpr std::string_view kAlias = "s390-ccw-virtio";
  auto unsupported = [] {
    Error e(ErrorCode::kUnsupported, "unsupported machine type");
    e.hint = "Use -machine help to list supported machines";
    return tl::unexpected(std::move(e));
  };
  if (type == kAlias) return fmt::format("{}-{}-machine", kAlias, kNewestMachineVersion);
  if (type.size() <= kAlias.size() + 1 || type.substr(0, kAlias.size() + 1) != "s390-ccw-virtio-") return unsupported();
  const std::string_view version = type.substr(kAlias.size() + 1);
  const size_t dot = version.find('.');
  if (dot == std::string_view::npos) return unsupported();
  auto major = number(version.substr(0, dot)), minor = number(version.substr(dot + 1));
  // s390-ccw-virtio-2.4 is the oldest versioned machine QEMU ever had; 11.2 the newest.
  if (!major || !minor || *major < 2 || (*major == 2 && *minor < 4) || *major > 11 || (*major == 11 && *minor > 2))
    return unsupported();
  return fmt::format("{}-machine", type);
}

Status check_machine_property(std::string_view qom_type, std::string_view name, std::string_view value) {
  const std::string_view top = name.substr(0, name.find('.'));
  const auto* p = std::find_if(std::begin(kProperties), std::end(kProperties),
                               [&](const Property& q) { return top == q.name; });
  if (p == std::end(kProperties))
    return fail(ErrorCode::kUnsupported, fmt::format("Property '{}.{}' not found", qom_type, name));
  if (p->is_bool && top == name) {
    static constexpr std::string_view kBools[] = {"on", "off", "yes", "no", "true", "false", "y", "n"};
    if (std::find(std::begin(kBools), std::end(kBools), value) == std::end(kBools))
      return fail(ErrorCode::kUnsupported, fmt::format("Parameter '{}' expects 'on' or 'off'", name));
  }
  return {};
}

}  // namespace sipl::hv
