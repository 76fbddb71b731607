// Reads what `sipl ... --help` prints (CLI11's help layout) back into names: the independent
// account of the command line that the man page and completion tests hold the generated files
// against, so that they do not check the generator against its own model.
#pragma once

#include <string>
#include <vector>

namespace sipl::test {

struct HelpText {
  std::string summary;                  // the first line: the command's one-line description
  std::vector<std::string> positionals; // "FILE", "QEMU-ARGV"
  std::vector<std::string> options;     // every name: "-h", "--help", "-o", "--output", ...
  std::vector<std::string> subcommands; // "validate", "to-qemu", ...
  std::string footer;                   // everything after the last listed section
};

// Returns the parts of a CLI11 help text.
HelpText parse_help(const std::string& text);

// A command as `sipl --help` and its subcommands' --help describe it.
struct HelpCommand {
  std::vector<std::string> path; // {"domain", "validate"} (without "sipl")
  HelpText help;
};

// Returns every command reachable from `sipl --help` (depth first, `sipl` itself first), each
// parsed from its own --help.
std::vector<HelpCommand> all_help_commands();

} // namespace sipl::test
