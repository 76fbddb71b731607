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
  EXPECT_EQ(r.err, "sipl: error: A subcommand is required\nsipl: note: see sipl --help\n");
}

TEST(Cli, UnknownOptionIsAUsageError) {
  auto r = test::run_sipl({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  // CLI11 checks for the verb before the options here; the prefix and the note are sipl's.
  EXPECT_EQ(r.err, "sipl: error: A subcommand is required\nsipl: note: see sipl --help\n");
  r = test::run_sipl({"boot", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "sipl: error: The following argument was not expected: --frobnicate\nsipl: note: see sipl boot --help\n");
}

// Issue 12: `sipl bogus` says the verb is unknown (CLI11 alone says "A subcommand is required").
TEST(Cli, UnknownVerbIsNamed) {
  auto r = test::run_sipl({"bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("sipl: error: unknown verb 'bogus'\nsipl: note: the verbs are ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("boot, "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("__generate-docs"), std::string::npos) << r.err;  // hidden ones stay hidden
}

// Usage lines name the program, not the path it was started by (the test binary is run by its
// full build path).
TEST(Cli, UsageNamesTheProgram) {
  auto r = test::run_sipl({"boot", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\nUsage: sipl boot [OPTIONS]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(SIPL_BIN), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sipl
