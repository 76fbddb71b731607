// Result<T>: a value or an Error (code, message a user can act on, and where it happened).
// The library never throws across its API; the CLI maps ErrorCode to the exit codes of
// the README (bad input 3, unsupported environment 4, usage 2).
//
// An Error is a Diagnostic (sipl/base/diagnostic.h) of severity error: it has a stable id
// (by default the one of its ErrorCode, "error.bad_input", ...), a location and a message,
// so the CLI renders it as it renders a finding. Result and Status are [[nodiscard]]: a
// result that is dropped is a failure nobody hears of, and gcc -Werror refuses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "sipl/base/diagnostic.h"
#include "sipl/base/diagnostic_ids.h"

namespace sipl {

enum class ErrorCode {
  kUsage,        // the caller asked for something impossible (exit 2)
  kIo,           // a file could not be read or written (exit 3)
  kBadInput,     // input is malformed (exit 3)
  kLimit,        // input exceeds a documented limit (exit 3)
  kUnsupported,  // environment or feature not supported (exit 4)
  kInternal,     // a bug or an OpenSSL failure we did not expect (exit 3)
};

// Returns the id of an error that names none: "error.usage", "error.io", ...
const char* default_error_id(ErrorCode code);

struct Error : Diagnostic {
  Error() : Error(ErrorCode::kInternal, {}) {}
  Error(ErrorCode c, std::string m, Location w = {}, std::string h = {})
      : Diagnostic{Severity::kError, default_error_id(c), std::move(m), {}, std::move(w)},
        code(c),
        hint(std::move(h)) {}

  ErrorCode code = ErrorCode::kInternal;
  std::string hint;  // optional second line: why, or what to do (printed as "note: ...")

  // Returns this error with the stable id `i` (a constant of diagnostic_ids.h).
  Error&& with_id(std::string i) && { id = std::move(i); return std::move(*this); }

  // Returns the message prefixed with the location when one is known.
  std::string to_string() const;
};

// A value or an Error. It is a tl::expected (`*r`, `r->`, `r.error()`, `if (!r)`), and a
// function returning one may `return fail(...)`, `return tl::unexpected(e)` or a value.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using Base = tl::expected<T, Error>;
  using Base::Base;
  Result() = default;
  Result(const Base& b) : Base(b) {}          // NOLINT: implicit, as the alias it replaces
  Result(Base&& b) : Base(std::move(b)) {}    // NOLINT
};

using Status = Result<void>;

// Returns an unexpected Error for `return fail(...)` in functions returning Result<T>.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message, Location where = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(where)});
}

// The same for an error with its own stable id (a constant of diagnostic_ids.h), one scripts
// act on: `return fail(ids::kPkcs11PinLocked, ErrorCode::kBadInput, "...", where)`.
inline tl::unexpected<Error> fail(std::string id, ErrorCode code, std::string message, Location where = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(where)}.with_id(std::move(id)));
}

// Returns the process exit code for an error (spec README: 2 usage, 3 input, 4 environment).
int exit_code_for(ErrorCode code);

}  // namespace sipl
