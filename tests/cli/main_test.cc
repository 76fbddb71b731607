#include <gtest/gtest.h>

#include "support/run.h"

namespace sipl {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The library versions come from the tools of the same Debian packages, not from sipl: the
// openssl CLI (libssl3's version), xml2-config (libxml2-dev) and pkg-config (zlib1g-dev).
TEST(Cli, VersionPrintsSiplAndTheLibrariesItRunsWith) {
  auto r = test::run_sipl({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto openssl = test::sh("openssl version | cut -d' ' -f2");
  auto xml = test::sh("xml2-config --version");
  auto zlib = test::sh("pkg-config --modversion zlib");
  ASSERT_EQ(openssl.exit_code, 0) << openssl.err;
  ASSERT_EQ(xml.exit_code, 0) << xml.err;
  ASSERT_EQ(zlib.exit_code, 0) << zlib.err;
  EXPECT_EQ(r.out, std::string("sipl ") + SIPL_VERSION + "\nOpenSSL " + trimmed(openssl.out) + "\nlibxml2 " +
                       trimmed(xml.out) + "\nzlib " + trimmed(zlib.out) + "\n");
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
