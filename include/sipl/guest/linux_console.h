// The lines Linux prints on its console about a (secure) IPL, as a real guest's boot log shows
// them without the timestamps: arch/s390/kernel/setup.c log_component_list ("setup: " prefix)
// early in the boot, then security/integrity's loading of the IPL report's certificates into
// .platform ("integrity: " prefix) at late_initcall time.
#pragma once

#include <string>
#include <vector>

#include "sipl/guest/ipl_report.h"

namespace sipl::guest {

// Returns Linux's lines for `view`, in the order Linux prints them: nothing when Linux ignores
// the report (or none was written); otherwise "setup: Linux is running with Secure-IPL
// enabled|disabled", "setup: The IPL report contains the following components:", one
// "setup: %016llx - %016llx (signed, verified|signed, verification failed|not signed)" per
// component (the PSW pseudo-entry too), then per certificate "integrity: Loading X.509
// certificate: IPL:db" and "integrity: Loaded X.509 cert '<description>'" or "integrity:
// Problem loading X.509 certificate <errno>" and "integrity: Error adding keys to platform
// keyring IPL:db".
std::vector<std::string> linux_console(const GuestView& view);

}  // namespace sipl::guest
