// Text to roff for the man(7) pages docgen writes: every character that roff would read as
// markup is escaped, so any option description or example can be put on a page verbatim.
#pragma once

#include <string>
#include <string_view>

namespace sipl::cli::roff {

// Returns `text` escaped for a roff text line or macro argument: backslash as \e, hyphens as
// \- (so they are not broken or turned into typographic hyphens), quotes and accents as \(dq,
// \(aq, \(ga, other non-ASCII characters as \[uXXXX]; a '.' or '\'' that starts a line is
// guarded by \& (`line_start`: `text` itself begins a line).
std::string escape(std::string_view text, bool line_start = true);

// Returns escape(text) with `...` spans set in bold (the backticks dropped) and kept from
// being hyphenated.
std::string prose(std::string_view text);

// Returns "\%\fB<escaped>\fR": bold, and (as the start of a word) not hyphenated.
std::string bold(std::string_view text);
// Returns "\%\fI<escaped>\fR".
std::string italic(std::string_view text);

} // namespace sipl::cli::roff
