// Internal: runs a program (no shell) with bounded time and output, for probing QEMU.
#pragma once

#include <string>
#include <vector>

#include "sipl/base/result.h"

namespace sipl::mgmt {

struct ProcessOutput {
  int exit_code = -1;
  std::string out;  // stdout and stderr together, in arrival order
};

// Returns the output of argv (argv[0] looked up on PATH); kUnsupported if it cannot start,
// kLimit when it runs longer than `timeout_ms` or prints more than `max_output` bytes.
Result<ProcessOutput> run_process(const std::vector<std::string>& argv, int timeout_ms,
                                  size_t max_output);

}  // namespace sipl::mgmt
