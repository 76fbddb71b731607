// `sipl diag <code>`: run one DIAGNOSE of the hypervisor against the store the guest would see.
// Each DIAG code is a subcommand in its own file (diag.cc holds 320; 508 goes in diag508.cc),
// attached to the one `diag` parent this returns.
#pragma once

#include <CLI/CLI.hpp>

namespace sipl::cli {

// Returns the `diag` subcommand of `root`, creating it on first use.
CLI::App* diag_command(CLI::App& root);

}  // namespace sipl::cli
