// `cmake --install` of this build into a DESTDIR, with prefix /usr as a packager gives it: the
// tool, its docs and schemas, and a man page for every verb and the shell completions, at the
// FHS places (the same layout the .deb has, deb_test.cc).
#include <gtest/gtest.h>

#include "package/install_layout.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::TempDir;

// Installs this build under `root` and returns the tree's files; cmake's output on failure.
std::set<std::string> install_into(const TempDir& root) {
  auto r = test::run({"env", "DESTDIR=" + root.path(), SIPL_CMAKE, "--install", SIPL_BUILD_DIR, "--prefix", "/usr"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return test::files_under(root.path());
}

TEST(Install, DestdirHoldsTheToolDocsAndSchemas) {
  TempDir root;
  auto files = install_into(root);
  EXPECT_EQ(test::lines_not_in(test::tool_docs_and_schemas(SIPL_SOURCE_DIR), files), "") << "missing";
  auto v = test::run({root / "usr/bin/sipl", "--version"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out.substr(0, v.out.find('\n')), std::string("sipl ") + SIPL_VERSION);
  EXPECT_EQ(test::read_text(root / "usr/share/sipl/schemas/sipl-domain.rng"),
            test::read_text(std::string(SIPL_SOURCE_DIR) + "/data/schemas/sipl-domain.rng"));
}

TEST(Install, DestdirHoldsManPagesAndCompletionsForEveryVerb) {
  TempDir root;
  auto files = install_into(root);
  auto help = test::run({root / "usr/bin/sipl", "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  auto verbs = test::verbs_in_help(help.out);
  ASSERT_FALSE(verbs.empty()) << help.out;
  EXPECT_EQ(test::lines_not_in(test::man_pages_and_completions(verbs, ""), files), "") << "missing";
}

TEST(Install, DestdirHoldsNothingElse) {
  TempDir root;
  auto files = install_into(root);
  auto verbs = test::verbs_in_help(test::run({root / "usr/bin/sipl", "--help"}).out);
  auto known = test::tool_docs_and_schemas(SIPL_SOURCE_DIR);
  known.merge(test::man_pages_and_completions(verbs, ""));
  EXPECT_EQ(test::lines_not_in(files, known), "") << "installed but not part of the layout (install_layout.h)";
}

TEST(InstallLayout, VerbsInHelpReadsCli11SubcommandList) {
  const std::string help =
      "sipl: set up\nUsage: sipl [OPTIONS] SUBCOMMAND\n\nOptions:\n  -h,--help                   Print this\n\n"
      "Subcommands:\n  certs                       Show the store\n  keygen                      Make a key\n"
      "  domain                      Domain XML\n\nExit status: 0 success\n  sipl certs /etc\n";
  EXPECT_EQ(test::verbs_in_help(help), (std::vector<std::string>{"certs", "keygen", "domain"}));
  EXPECT_EQ(test::verbs_in_help("SUBCOMMANDS:\n  boot  Predict\n"), (std::vector<std::string>{"boot"}));
  EXPECT_EQ(test::verbs_in_help("Usage: sipl\n"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace sipl
