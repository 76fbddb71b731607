// Man pages and shell completions, generated from the CLI11 tree sipl parses with (through
// command_tree.h) and the CommandDoc each verb attaches (doc.h). `sipl __generate-docs`
// writes them at build time; `sipl completion bash|zsh` prints the same scripts.
#pragma once

#include <string>
#include <vector>

#include "cli/command_tree.h"

namespace sipl::cli {

// The name the pages and scripts give the program (CLI11 names the root App after argv[0]).
inline constexpr const char* kProgramName = "sipl";

struct ManPage {
  std::string file_name; // "sipl.1", "sipl-boot.1"
  std::string roff;
};

struct ManOptions {
  std::string version; // "0.1.0"
  std::string date;    // "2026-01-31"; empty leaves the .TH date empty
};

// Returns sipl(1) and sipl-VERB(1) for every visible verb of `root`; a verb's subcommands are
// documented on its page (as git-remote(1) documents `git remote add`).
std::vector<ManPage> man_pages(const CommandView& root, const ManOptions& options);

// Returns a bash completion script for `root` (defines and registers _sipl).
std::string bash_completion(const CommandView& root);

// Returns a zsh completion function file for `root` (#compdef; install as _sipl).
std::string zsh_completion(const CommandView& root);

} // namespace sipl::cli
