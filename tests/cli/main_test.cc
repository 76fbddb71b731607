#include <gtest/gtest.h>

#include "support/run.h"

namespace sipl {
namespace {

TEST(Cli, VersionPrintsNameAndVersion) {
  auto r = test::run_sipl({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("sipl ") + SIPL_VERSION + "\n");
}

TEST(Cli, NoVerbIsAUsageError) {
  auto r = test::run_sipl({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("A subcommand is required"), std::string::npos) << r.err;
}

TEST(Cli, UnknownOptionIsAUsageError) {
  auto r = test::run_sipl({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace sipl
