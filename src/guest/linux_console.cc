// Linux's console lines. log_component_list prints the Secure-IPL line from the IPLB copy's
// SIPL flag and each component as "%016llx - %016llx (%s)" with addr and addr + len, so the
// PSW pseudo-entry (len 0) shows as "<psw> - <psw> (not signed)".
#include "sipl/guest/linux_console.h"

#include <fmt/format.h>

namespace sipl::guest {

std::vector<std::string> linux_console(const GuestView& v) {
  std::vector<std::string> out;
  if (!v.report || !v.report->used_by_linux()) return out;
  constexpr uint8_t kSipl = 0x40;  // IPL_PL_FLAG_SIPL
  out.push_back(fmt::format("setup: Linux is running with Secure-IPL {}",
                            (v.hdr_flags & kSipl) ? "enabled" : "disabled"));
  out.emplace_back("setup: The IPL report contains the following components:");
  for (const auto& c : v.report->components)
    out.push_back(fmt::format("setup: {:016x} - {:016x} ({})", c.addr, c.addr + c.len, c.status()));
  for (const auto& k : v.keyring) out.insert(out.end(), k.dmesg.begin(), k.dmesg.end());
  return out;
}

}  // namespace sipl::guest
