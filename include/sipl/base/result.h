// Result<T>: a value or an Error (code, message a user can act on, and where it happened).
// The library never throws across its API; the CLI maps ErrorCode to the exit codes of
// the README (bad input 3, unsupported environment 4, usage 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace sipl {

enum class ErrorCode {
  kUsage,        // the caller asked for something impossible (exit 2)
  kIo,           // a file could not be read or written (exit 3)
  kBadInput,     // input is malformed (exit 3)
  kLimit,        // input exceeds a documented limit (exit 3)
  kUnsupported,  // environment or feature not supported (exit 4)
  kInternal,     // a bug or an OpenSSL failure we did not expect (exit 3)
};

// Where an error happened: a file, and optionally a byte offset, block number or line.
struct Location {
  Location() = default;
  explicit Location(std::string p) : path(std::move(p)) {}
  // Returns a location at a byte offset / block number / line of `p`.
  static Location at_offset(std::string p, uint64_t off) { Location l(std::move(p)); l.offset = off; return l; }
  static Location at_block(std::string p, uint64_t blk) { Location l(std::move(p)); l.block = blk; return l; }
  static Location at_line(std::string p, uint64_t ln) { Location l(std::move(p)); l.line = ln; return l; }

  std::string path;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> block;
  std::optional<uint64_t> line;

  // Returns "path", "path: byte 12", "path: block 3", "path: line 7" (empty if nothing known).
  std::string to_string() const;
};

struct Error {
  Error() = default;
  Error(ErrorCode c, std::string m, Location w = {}, std::string h = {})
      : code(c), message(std::move(m)), where(std::move(w)), hint(std::move(h)) {}

  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  Location where;
  std::string hint;  // optional second line: why, or what to do (printed as "note: ...")

  // Returns the message prefixed with the location when one is known.
  std::string to_string() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Status = tl::expected<void, Error>;

// Returns an unexpected Error for `return fail(...)` in functions returning Result<T>.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message, Location where = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(where)});
}

// Returns the process exit code for an error (spec README: 2 usage, 3 input, 4 environment).
int exit_code_for(ErrorCode code);

}  // namespace sipl
