// Text and JSON renderings of the guest's view of a (secure) IPL, for `sipl boot`: the sysfs
// values, Linux's dmesg lines for the component list, and the .platform keyring.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sipl/guest/ipl_report.h"

namespace sipl::guest {

// Returns {"secure", "has_secure", "iplb", "report", "platform_keyring" (with each key's
// "description"), "platform_keyring_loads" (every report certificate: index, loaded,
// description, errno, reason), "linux_console", "components", "findings"} as docs/JSON.md
// spells them (`sipl boot --json` prints it as "guest"): addresses as "0x" + 16 hex digits,
// lengths as numbers. `components`, `platform_keyring` and `linux_console` are what Linux keeps
// and prints: empty when it ignores the report.
nlohmann::ordered_json to_json(const GuestView& view);
// Returns the view as lines a person reads: the sysfs files ("/sys/firmware/ipl/secure: 1"),
// exactly the lines Linux prints (linux_console.h), then "warning: ..." for each finding.
std::string to_text(const GuestView& view);

}  // namespace sipl::guest
