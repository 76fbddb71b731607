// A read-only view of the CLI11 tree sipl parses with, in the terms man pages and shell
// completions need (names, placeholders, allowed values, file arguments, documentation).
// It is read from the same CLI::App that parses argv, after every verb has registered.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/doc.h"

namespace sipl::cli {

struct OptionView {
  std::vector<std::string> names; // "-o", "--output": short names first; empty for a positional
  std::string placeholder;        // "FILE"; a positional's name; empty for a flag
  std::string description;
  std::vector<std::string> values; // allowed values (one_of); empty when any value goes
  std::string default_value;
  ValueKind kind = ValueKind::kNone;
  bool required = false;
  bool repeatable = false; // may be given more than once (or, positional, takes many words)

  bool takes_value() const { return kind != ValueKind::kNone; }
};

struct CommandView {
  std::vector<std::string> path; // {"sipl", "domain", "validate"}
  std::string summary;           // the one-line CLI11 description
  const CommandDoc* doc = nullptr;
  std::vector<OptionView> options;      // in definition order, --help first
  std::vector<OptionView> positionals;  // in order
  std::vector<CommandView> subcommands; // visible ones, in definition order
  bool subcommand_required = false;

  // Returns the words of path joined by spaces ("sipl domain validate").
  std::string command() const;
  // Returns the words of path joined by hyphens ("sipl-domain-validate").
  std::string slug() const;
};

// Returns the view of `root`, called `program` (CLI11 names the root after argv[0]), and of
// its visible subcommands.
CommandView describe_commands(const CLI::App& root, const std::string& program);

} // namespace sipl::cli
