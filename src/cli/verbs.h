// The verb table: each src/cli/<verb>.cc registers itself with SIPL_REGISTER_VERB, and main
// builds one CLI11 subcommand per entry. Verbs set the process exit code through the Context.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "sipl/base/result.h"

namespace sipl::cli {

struct Context {
  int exit_code = 0;
  // --json was given (before any "--"): errors are then also a JSON document on stdout.
  bool json = false;
};

using VerbSetup = void (*)(CLI::App& parent, Context& ctx);

// Adds a verb; `order` sorts them in --help. Returns true (for static registration).
bool register_verb(int order, VerbSetup setup);

// Runs `body`, mapping a returned Error to "sipl: error: ..." on stderr and its exit code,
// and, with --json, to the error document (docs/JSON.md) on stdout.
void run_verb(Context& ctx, const std::function<Result<int>()>& body);

}  // namespace sipl::cli

#define SIPL_CONCAT_INNER(a, b) a##b
#define SIPL_CONCAT(a, b) SIPL_CONCAT_INNER(a, b)
#define SIPL_REGISTER_VERB(order, fn) \
  static const bool SIPL_CONCAT(sipl_verb_registered_, __LINE__) = ::sipl::cli::register_verb(order, fn)
