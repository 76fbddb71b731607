// One diagnostic model for errors and findings: a stable id, a severity, where it happened
// (a file and a byte offset, block or line in it, or an argument of the command line), the
// message and named parameters. `Finding` (a verdict, sipl/base/finding.h) and `Error` (a
// failure, sipl/base/result.h) are both a `Diagnostic`, so the CLI prints them the same way;
// the ids are declared in sipl/base/diagnostic_ids.h and listed in docs/DIAGNOSTICS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipl {

enum class Severity { kInfo, kWarning, kError };

// Returns "info", "warning" or "error".
const char* to_string(Severity s);

// Where a diagnostic comes from: a file, and optionally a byte offset, block number or line
// in it; or the position of an argument on the command line.
struct Location {
  Location() = default;
  explicit Location(std::string p) : path(std::move(p)) {}
  // Returns a location at a byte offset / block number / line of `p`.
  static Location at_offset(std::string p, uint64_t off) { Location l(std::move(p)); l.offset = off; return l; }
  static Location at_block(std::string p, uint64_t blk) { Location l(std::move(p)); l.block = blk; return l; }
  static Location at_line(std::string p, uint64_t ln) { Location l(std::move(p)); l.line = ln; return l; }
  // Returns the location of argument `index` of an argument vector (0 = the program).
  static Location at_argv(uint64_t index) { Location l; l.argv_index = index; return l; }

  std::string path;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> block;
  std::optional<uint64_t> line;
  std::optional<uint64_t> argv_index;

  // Returns true when nothing is known.
  bool empty() const { return path.empty() && !offset && !block && !line && !argv_index; }
  // Returns "path", "path: byte 12", "path: block 3", "path: line 7" (empty if nothing is
  // known). Not the argv index: a message names its argument itself, 1-based, as people
  // count ("argument 4: ..."); argv_index is for programs (JSON).
  std::string to_string() const;
};

using DiagnosticParams = std::vector<std::pair<std::string, std::string>>;

struct Diagnostic {
  Severity severity = Severity::kWarning;
  std::string id;       // stable, dotted: a constant of sipl/base/diagnostic_ids.h
  std::string message;  // the user-facing text (verbatim QEMU/BIOS text where one exists)
  DiagnosticParams params;  // e.g. {"path", "/etc/pki/x"}
  Location where;

  // Returns the value of parameter `key`, or nullptr.
  const std::string* param(std::string_view key) const;
};

}  // namespace sipl
