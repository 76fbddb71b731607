// What a verb says about itself beyond its options: the prose a man page needs (description,
// exit status, JSON output, examples, environment, see also). A verb attaches one CommandDoc to
// its CLI11 subcommand; its --help footer is written from the same CommandDoc, and the man
// pages and shell completions (docgen.h) are generated from the CLI11 tree plus these, so
// --help, sipl(1) and the completions cannot say different things.
//
// Conventions the generators read from the CLI11 tree itself:
//  - An option's value placeholder is its CLI11 type name (`->type_name("FILE")`); a
//    positional's placeholder is its name. FILE, PATH, DISK, XML and names ending in -FILE or
//    -PATH complete file names; DIR completes directory names.
//  - An option with a fixed set of values takes `->check(one_of({...}))`: CLI11 refuses other
//    values (naming the allowed ones), and man pages and completions list them.
//  - A subcommand in the group "" (`->group("")`) is hidden from --help, man pages and
//    completion.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sipl::cli {

struct ExitStatus {
  int code = 0;
  std::string meaning; // "boots", "usage error", ...
};

struct Example {
  std::string command;     // may continue over lines with " \\\n    "
  std::string explanation; // one line saying what it shows
};

struct JsonField {
  std::string key; // a top-level key, e.g. "verdict" or "components[]"
  std::string meaning;
};

struct EnvVar {
  std::string name;
  std::string meaning;
};

struct CommandDoc {
  // DESCRIPTION paragraphs (man page only; --help has the one-line CLI11 description).
  std::vector<std::string> description;
  // Short facts shown at the top of the --help footer and in the man page's DESCRIPTION.
  std::vector<std::string> notes;
  // Exit codes this command uses; empty for a group whose subcommands say their own.
  std::vector<ExitStatus> exit_status;
  // What --json prints: the top-level keys after "schema_version". Empty: no JSON output.
  std::vector<JsonField> json;
  std::vector<Example> examples;
  std::vector<EnvVar> environment;
  // Pages outside sipl, e.g. "qemu-system-s390x(1)"; sipl's own pages are added by docgen.
  std::vector<std::string> see_also;
};

// Attaches `doc` to `cmd` and sets its --help footer from it. Returns `cmd`.
CLI::App* document(CLI::App* cmd, CommandDoc doc);
// Returns the documentation attached to `cmd`, or nullptr.
const CommandDoc* documentation(const CLI::App* cmd);
// Returns the --help footer text for `doc`: notes, exit status, examples.
std::string help_footer(const CommandDoc& doc);

// Returns a CLI11 validator accepting exactly `values` (CLI11's IsMember, named so that
// allowed_values() finds it again).
CLI::Validator one_of(const std::vector<std::string>& values);
// Returns the values one_of() allows for `opt`, in their order; empty when any value goes.
std::vector<std::string> allowed_values(const CLI::Option& opt);

// Returns the names `name(v)` of every value in `all` (e.g. crypto::kDigests), for one_of().
template <class T, size_t N, class F> std::vector<std::string> names_of(const T (&all)[N], F name) {
  std::vector<std::string> out;
  for (const T& v : all) out.emplace_back(name(v));
  return out;
}

enum class ValueKind { kNone, kText, kFile, kDirectory };
// Returns what a placeholder names, by the conventions above (kText for anything else).
ValueKind value_kind(const std::string& placeholder);

} // namespace sipl::cli
