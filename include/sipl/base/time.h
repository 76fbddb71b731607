// Time as an input: every time-dependent verb takes `--at TIME` (default: now).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sipl/base/result.h"

namespace sipl {

// Seconds since the Unix epoch, UTC. Signed: certificates may predate 1970.
using UnixTime = int64_t;

// Returns the time named by `text`: RFC 3339 (`2026-11-30T12:00:00Z`, `...+01:00`, fractional
// seconds ignored, `t`/`z` and a space separator accepted), a date alone (`2050-01-01`,
// midnight UTC) or `@SECONDS` (Unix time, may be negative). Anything else is a kUsage error
// quoting the text.
Result<UnixTime> parse_time(std::string_view text);
// Returns the current wall-clock time.
UnixTime now();
// Returns `t` as RFC 3339 UTC with a `Z` suffix, e.g. `2026-11-30T12:00:00Z`.
std::string format_time(UnixTime t);

}  // namespace sipl
