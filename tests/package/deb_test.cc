// The Debian package that `make deb` builds (here built once by the package.deb_build fixture
// into SIPL_DEB_DIR with scripts/deb.sh): lintian's verdict, and what a user gets from it,
// extracted with dpkg-deb -x into a scratch root and run from there.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "package/install_layout.h"
#include "support/run.h"

namespace sipl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// Returns the one file in SIPL_DEB_DIR named sipl_VERSION-REVISION_ARCH.`ext`, or "".
std::string built(const std::string& ext) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(SIPL_DEB_DIR, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(std::string("sipl_") + SIPL_VERSION + "-") && name.ends_with(ext))
      found.push_back(e.path().string());
  }
  EXPECT_EQ(found.size(), 1u) << "expected one sipl_" << SIPL_VERSION << "-*" << ext << " in " << SIPL_DEB_DIR
                              << " (made by the package.deb_build test)";
  return found.size() == 1 ? found[0] : "";
}

class DebPackage : public ::testing::Test {
 protected:
  void SetUp() override {
    deb_ = built("_" + arch() + ".deb");
    ASSERT_NE(deb_, "");
    auto x = test::run({"dpkg-deb", "-x", deb_, root_.path()});
    ASSERT_EQ(x.exit_code, 0) << x.err;
    files_ = test::files_under(root_.path());
  }
  static std::string arch() {
    auto r = test::run({"dpkg-architecture", "-qDEB_HOST_ARCH"});
    return r.out.substr(0, r.out.find('\n'));
  }
  test::RunResult sipl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{root_ / "usr/bin/sipl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv);
  }

  std::string deb_;
  TempDir root_;
  std::set<std::string> files_;
};

TEST_F(DebPackage, LintianFindsNoErrorsOrWarnings) {
  // The .changes names the .deb, its -dbgsym package and the .buildinfo: lintian checks all three.
  const std::string changes = built(".changes");
  ASSERT_NE(changes, "");
  auto r = test::run({"lintian", "--display-info", "--show-overrides", "--fail-on", "none", changes}, 900);
  std::cout << "lintian --display-info --show-overrides --fail-on none " << changes << " (exit " << r.exit_code << "):\n"
            << r.out << r.err << "(end of lintian output)\n";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Until man pages are installed, lintian rightly says so (no-manual-page); once the package
  // has them that warning is a failure like any other.
  const bool has_man_pages = files_.contains("usr/share/man/man1/sipl.1.gz");
  std::istringstream lines(r.out);
  std::string line, errors, warnings;
  while (std::getline(lines, line)) {
    if (line.starts_with("E: ")) errors += line + "\n";
    if (line.starts_with("W: ") && (has_man_pages || line.find(" no-manual-page ") == std::string::npos))
      warnings += line + "\n";
  }
  EXPECT_EQ(errors, "");
  EXPECT_EQ(warnings, "");
}

TEST_F(DebPackage, ControlNamesThePackageVersionAndLibraryDependencies) {
  auto f = test::run({"dpkg-deb", "-f", deb_, "Package", "Version", "Architecture", "Depends"});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_NE(f.out.find("Package: sipl\n"), std::string::npos) << f.out;
  EXPECT_NE(f.out.find(std::string("Version: ") + SIPL_VERSION + "-1\n"), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("Architecture: " + arch() + "\n"), std::string::npos) << f.out;
  // dh_shlibdeps found the shared libraries the binary links; libxml2, loaded with dlopen
  // (src/mgmt/libxml.h), is named in debian/control.
  for (const char* lib : {"libc6", "libstdc++6", "libssl3", "libxml2", "zlib1g", "libfmt"})
    EXPECT_NE(f.out.find(lib), std::string::npos) << lib << "\n" << f.out;
}

TEST_F(DebPackage, ExtractedSiplRunsVersionHelpAndAVerb) {
  auto v = sipl({"--version"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out.substr(0, v.out.find('\n')), std::string("sipl ") + SIPL_VERSION);

  // The packaged binary is built from the same definitions as the one under test here (the
  // usage line says "sipl" however the program was run, so the two print the same text).
  auto help = sipl({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_EQ(help.out, test::run_sipl({"--help"}).out);
  auto verbs = test::verbs_in_help(help.out);
  EXPECT_NE(std::find(verbs.begin(), verbs.end(), "keygen"), verbs.end()) << help.out;
  EXPECT_NE(std::find(verbs.begin(), verbs.end(), "certs"), verbs.end()) << help.out;

  TempDir work;
  auto k = sipl({"keygen", "--type", "p256", "--cn", "Packaged sipl", "--days", "30", "--at", "2026-01-01T00:00:00Z",
                 "--key", work / "k.key", "--cert", work / "k.pem"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_EQ(k.out, "Wrote p256 key " + (work / "k.key") + " and certificate " + (work / "k.pem") +
                       " (CN=Packaged sipl, valid 2026-01-01T00:00:00Z to 2026-01-31T00:00:00Z)\n");
  auto c = sipl({"certs", "--json", "--at", "2026-01-15T00:00:00Z", work / "k.pem"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.err, "");
  auto j = nlohmann::json::parse(c.out);
  ASSERT_EQ(j["certificates"].size(), 1u) << c.out;
  const auto& cert = j["certificates"][0];
  EXPECT_EQ(cert["name"], "k.pem");
  EXPECT_EQ(cert["subject"], "CN=Packaged sipl");
  EXPECT_EQ(cert["issuer"], "CN=Packaged sipl");
  EXPECT_EQ(cert["vce_key_type"], 0);  // JSON v2 name (docs/JSON.md)
  EXPECT_EQ(cert["not_before"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(cert["not_after"], "2026-01-31T00:00:00Z");
  EXPECT_EQ(cert["valid_at"], true);
  EXPECT_EQ(j["mode"]["secure_boot_on"], "secure");
  // Byte for byte what this build's sipl says about the same certificate.
  EXPECT_EQ(c.out, test::run_sipl({"certs", "--json", "--at", "2026-01-15T00:00:00Z", work / "k.pem"}).out);
}

TEST_F(DebPackage, HoldsTheToolDocsAndSchemas) {
  // dh_compress gzips docs over 4 KiB; dh_installdocs adds Debian's copyright and changelog.
  std::set<std::string> want;
  for (const auto& f : test::tool_docs_and_schemas(SIPL_SOURCE_DIR))
    if (f != "usr/share/doc/sipl/LICENSE") want.insert(files_.contains(f + ".gz") ? f + ".gz" : f);
  want.insert("usr/share/doc/sipl/copyright");
  want.insert("usr/share/doc/sipl/changelog.Debian.gz");
  EXPECT_EQ(test::lines_not_in(want, files_), "") << "missing";
  EXPECT_FALSE(files_.contains("usr/share/doc/sipl/LICENSE")) << "debian/copyright is the licence in a .deb";
  EXPECT_EQ(test::read_text(root_ / "usr/share/doc/sipl/copyright"),
            test::read_text(std::string(SIPL_SOURCE_DIR) + "/debian/copyright"));
  EXPECT_EQ(test::read_text(root_ / "usr/share/sipl/schemas/sipl-domain.rng"),
            test::read_text(std::string(SIPL_SOURCE_DIR) + "/data/schemas/sipl-domain.rng"));
}

TEST_F(DebPackage, HoldsManPagesAndCompletionsForEveryVerb) {
  auto verbs = test::verbs_in_help(sipl({"--help"}).out);
  ASSERT_FALSE(verbs.empty());
  auto want = test::man_pages_and_completions(verbs, ".gz");
  EXPECT_EQ(test::lines_not_in(want, files_), "") << "missing";
  for (const auto& f : want) {
    if (!f.ends_with(".gz") || !files_.contains(f)) continue;
    EXPECT_EQ(test::read_text(root_ / f).substr(0, 2), "\x1f\x8b") << f << " is not gzipped";
  }
}

TEST_F(DebPackage, HoldsWhatCmakeInstallInstalls) {
  TempDir destdir;
  auto r = test::run({"env", "DESTDIR=" + destdir.path(), SIPL_CMAKE, "--install", SIPL_BUILD_DIR, "--prefix", "/usr"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto installed = test::files_under(destdir.path());
  // The package differs only by Debian's own files (the licence it carries as copyright, its
  // changelog, lintian's overrides) and by what dh_compress gzipped.
  installed.erase("usr/share/doc/sipl/LICENSE");
  installed.insert("usr/share/doc/sipl/copyright");
  installed.insert("usr/share/doc/sipl/changelog.Debian.gz");
  installed.insert("usr/share/lintian/overrides/sipl");
  std::set<std::string> packaged;
  for (const auto& f : files_) {
    const std::string plain = f.ends_with(".gz") ? f.substr(0, f.size() - 3) : f;
    packaged.insert(installed.contains(plain) ? plain : f);
  }
  EXPECT_EQ(test::lines_not_in(installed, packaged), "") << "installed by cmake, not in the .deb";
  EXPECT_EQ(test::lines_not_in(packaged, installed), "") << "in the .deb, not installed by cmake";
}

}  // namespace
}  // namespace sipl
