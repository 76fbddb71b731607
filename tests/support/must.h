// must: runs a fixture-building shell command (openssl, qemu-img, ...) and fails the calling test,
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

// Returns what a fixture-reading shell command (openssl x509 -noout ..., od ...) prints, with
// trailing newlines and spaces removed; fails the calling test when it does not exit 0.
inline std::string must_out(const std::string& cmd) {
  auto r = sh(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  std::string s = r.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace sipl::test
