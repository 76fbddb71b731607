#include "sipl/mgmt/qemu_version.h"

#include <fmt/format.h>

#include <charconv>

namespace sipl::mgmt {

std::string QemuVersion::to_string() const { return fmt::format("{}.{}.{}", major, minor, micro); }

Result<QemuVersion> parse_qemu_version(std::string_view text) {
  std::string_view t = text;
  if (auto p = t.find("version "); p != std::string_view::npos) t.remove_prefix(p + 8);
  unsigned parts[3] = {0, 0, 0};
  size_t n = 0;
  const char* p = t.data();
  const char* end = t.data() + t.size();
  while (n < 3) {
    auto [q, ec] = std::from_chars(p, end, parts[n]);
    if (ec != std::errc()) break;
    ++n;
    p = q;
    if (p == end || *p != '.') break;
    ++p;
  }
  if (n < 2)
    return fail(ErrorCode::kUsage,
                fmt::format("'{}' is not a QEMU version (expected MAJOR.MINOR[.MICRO])", text));
  return QemuVersion{parts[0], parts[1], parts[2]};
}

}  // namespace sipl::mgmt
