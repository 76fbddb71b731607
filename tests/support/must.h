// Runs a fixture-building shell command (openssl, qemu-img, ...) and fails the calling test,
// showing the command and its stderr, when it does not exit 0. Header-only: benchmarks link
// tests/support/run.cc without GoogleTest.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/run.h"

namespace sipl::test {

inline void must(const std::string& cmd) {
  auto r = sh(cmd);
  ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
}

}  // namespace sipl::test
