// Text and JSON renderings of the guest's view of a (secure) IPL, for `sipl boot`: the sysfs
// values, Linux's dmesg lines for the component list, and the .platform keyring.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sipl/guest/ipl_report.h"

namespace sipl::guest {

// Returns {"secure", "has_secure", "iplb", "report", "platform_keyring", "components",
// "findings"} as docs/JSON.md spells them (`sipl boot --json` prints it as "guest"):
// addresses as "0x" + 16 hex digits, lengths as numbers. `components` and `platform_keyring`
// are what Linux keeps: empty when it ignores the report.
nlohmann::ordered_json to_json(const GuestView& view);
// Returns the view as lines a person reads: the sysfs files, the dmesg lines Linux prints for
// the component list, the .platform certificates, then the findings.
std::string to_text(const GuestView& view);

}  // namespace sipl::guest
