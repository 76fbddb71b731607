// The man pages the build generates (SIPL_GENERATED_DOCS_DIR/man1), held against what
// `sipl ... --help` prints (support/cli_help.h), and rendered with man-db as a user reads them.
#include <dirent.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/cli_help.h"
#include "support/run.h"

namespace sipl {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

const std::string kManDir = std::string(SIPL_GENERATED_DOCS_DIR) + "/man1";

const std::vector<test::HelpCommand>& help() {
  static const auto commands = test::all_help_commands();
  return commands;
}

const test::HelpText& root_help() { return help().front().help; }

// Returns the page a command is documented on: sipl.1, or sipl-VERB.1 for VERB and its subcommands.
std::string page_of(const std::vector<std::string>& path) {
  return path.empty() ? "sipl.1" : "sipl-" + path.front() + ".1";
}

std::string joined(const std::vector<std::string>& path) {
  std::string s = "sipl";
  for (const auto& w : path) s += " " + w;
  return s;
}

// What `man` prints for a page, and its complaints.
struct Rendered {
  int exit_code = -1;
  std::string text;
  std::string warnings;
};

// Returns `man --warnings -l PAGE` at 80 columns in a UTF-8 locale, as a user reads it; the
// pages are read back without hyphenation and justification (--nh --nj), so that words and
// spaces come out as written.
Rendered render_as_user(const std::string& page) {
  auto r = test::run({"env", "MANWIDTH=80", "LC_ALL=C.UTF-8", "man", "--warnings", "-l", kManDir + "/" + page});
  return {r.exit_code, r.out, r.err};
}

const Rendered& render(const std::string& page) {
  static std::map<std::string, Rendered> cache;
  auto it = cache.find(page);
  if (it != cache.end()) return it->second;
  auto r = test::run(
      {"env", "MANWIDTH=80", "LC_ALL=C.UTF-8", "man", "--warnings", "--nh", "--nj", "-l", kManDir + "/" + page});
  return cache[page] = {r.exit_code, r.out, r.err};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// Returns `s` with every run of white space made one space.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return trim(out);
}

size_t indent_of(const std::string& line) { return line.find_first_not_of(' '); }

// The lines of section `title` (a .SH heading, unindented), or of its subsection `sub` (a .SS
// heading, indented 3) when `sub` is given; empty when there is none.
std::vector<std::string> section(const std::string& page, const std::string& title, const std::string& sub = "") {
  std::vector<std::string> out;
  bool in_section = false, in_sub = sub.empty();
  for (const auto& line : lines_of(render(page).text)) {
    const size_t ind = indent_of(line);
    if (ind == 0) {
      in_section = line == title;
      continue;
    }
    if (in_section && ind == 3) {
      in_sub = sub.empty() || trim(line) == sub;
      if (!sub.empty()) continue;
    }
    if (in_section && in_sub) out.push_back(line);
  }
  return out;
}

// The words of the .TP tags in `lines` (indented 7 in man's layout): "-o, --output FILE" gives
// -o and --output, "PATH..." gives PATH.
std::set<std::string> tags(const std::vector<std::string>& lines) {
  std::set<std::string> out;
  for (const auto& line : lines) {
    if (indent_of(line) != 7) continue;
    std::istringstream words(trim(line));
    std::string w;
    for (bool first = true; words >> w; first = false) {
      if (!w.empty() && w.back() == ',') w.pop_back();
      if (w.size() > 3 && w.ends_with("...")) w.resize(w.size() - 3);
      if (!first && w.front() != '-') break;
      out.insert(w);
    }
  }
  return out;
}

// The example commands of a --help footer: the lines after "# explanation", with their
// continuation lines.
std::vector<std::string> footer_examples(const std::string& footer) {
  std::vector<std::string> out;
  bool continued = false;
  for (const auto& line : lines_of(footer)) {
    const std::string t = trim(line);
    if (continued || t.starts_with("sipl ")) out.push_back(t);
    continued = (continued || t.starts_with("sipl ")) && t.ends_with("\\");
  }
  return out;
}

TEST(ManPages, OnePagePerVerbOfHelp) {
  std::set<std::string> files;
  DIR* d = opendir(kManDir.c_str());
  ASSERT_NE(d, nullptr) << kManDir;
  while (auto* e = readdir(d))
    if (e->d_name[0] != '.') files.insert(e->d_name);
  closedir(d);
  std::set<std::string> expected{"sipl.1"};
  for (const auto& v : root_help().subcommands) expected.insert("sipl-" + v + ".1");
  EXPECT_EQ(files, expected);
  // The verb list itself comes from --help; make sure that parse found the verbs.
  EXPECT_THAT(root_help().subcommands, UnorderedElementsAreArray({"certs", "inspect", "keygen", "sign", "verify",
                                                                  "boot", "domain", "mkdisk", "diag", "audit", "completion"}));
}

TEST(ManPages, EveryPageRendersWithoutWarningsAndHasTheSections) {
  for (const auto& c : help()) {
    if (c.path.size() > 1) continue;
    const std::string page = page_of(c.path);
    const Rendered user = render_as_user(page);
    EXPECT_EQ(user.exit_code, 0) << page;
    EXPECT_EQ(user.warnings, "") << page;
    const Rendered& r = render(page);
    EXPECT_EQ(r.exit_code, 0) << page;
    EXPECT_EQ(r.warnings, "") << page;
    // Unindented lines are the section headings, between the page's header and footer lines.
    std::vector<std::string> headings;
    for (const auto& line : lines_of(r.text))
      if (!line.empty() && line[0] != ' ') headings.push_back(line);
    ASSERT_GE(headings.size(), 2u) << page;
    headings = {headings.begin() + 1, headings.end() - 1};
    std::vector<std::string> expected{"NAME", "SYNOPSIS", "DESCRIPTION"};
    if (c.path.empty())
      expected.insert(expected.end(), {"COMMANDS", "OPTIONS"});
    else
      expected.push_back("OPTIONS");
    if (!c.help.subcommands.empty() && !c.path.empty()) expected.push_back("COMMANDS");
    expected.push_back("EXIT STATUS");
    const bool json = c.path.empty() || std::any_of(help().begin(), help().end(), [&](const auto& h) {
                        return !h.path.empty() && h.path.front() == c.path.front() &&
                               std::count(h.help.options.begin(), h.help.options.end(), "--json");
                      });
    if (json) expected.push_back("JSON OUTPUT");
    if (c.path.empty() || c.path.front() == "sign" || c.path.front() == "keygen" ||
        c.path.front() == "domain")
      expected.push_back("ENVIRONMENT");
    expected.insert(expected.end(), {"EXAMPLES", "SEE ALSO"});
    EXPECT_EQ(headings, expected) << page;
  }
}

TEST(ManPages, NameLineIsTheHelpSummary) {
  for (const auto& c : help()) {
    if (c.path.size() > 1) continue;
    const std::string page = page_of(c.path);
    const std::string name = c.path.empty() ? "sipl" : "sipl-" + c.path.front();
    std::string text;
    for (const auto& line : section(page, "NAME")) text += line + "\n";
    EXPECT_EQ(squeeze(text), name + " - " + c.help.summary) << page;
  }
}

TEST(ManPages, EveryOptionAndArgumentOfHelpIsDocumented) {
  size_t checked = 0;
  for (const auto& c : help()) {
    // sipl(1) and single verbs list theirs under OPTIONS; a verb's subcommands theirs under
    // their own COMMANDS subsection.
    const std::string page = page_of(c.path);
    const auto lines = c.path.size() > 1 ? section(page, "COMMANDS", joined(c.path)) : section(page, "OPTIONS");
    ASSERT_FALSE(lines.empty()) << page << ": no section for " << joined(c.path);
    const auto documented = tags(lines);
    for (const auto& o : c.help.options) {
      EXPECT_TRUE(documented.count(o)) << page << ": " << joined(c.path) << " " << o;
      ++checked;
    }
    for (const auto& p : c.help.positionals) EXPECT_TRUE(documented.count(p)) << page << ": " << p;
    for (const auto& s : c.help.subcommands) {
      if (c.path.empty()) continue; // sipl(1) names verbs in COMMANDS, checked below
      auto path = c.path;
      path.push_back(s);
      EXPECT_FALSE(section(page, "COMMANDS", joined(path)).empty()) << page << ": " << joined(path);
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST(ManPages, OptionsWithFixedValuesListThem) {
  const std::pair<std::string, std::string> cases[] = {{"sipl-boot.1", "--secure-boot on|off"},
                                                       {"sipl-sign.1", "--sclab global|plain"},
                                                       {"sipl-sign.1", "--digest sha256|sha384|sha512"},
                                                       {"sipl-keygen.1", "--type rsa2048|rsa4096|p256|p384|p521"},
                                                       {"sipl-mkdisk.1", "--secure auto|1|0"},
                                                       {"sipl-verify.1", "--block-size 512|4096"},
                                                   };
  for (const auto& c : cases) {
    // Named copies, not a structured binding: clang 14 cannot capture bindings in a lambda.
    const auto& page = c.first;
    const auto& tag = c.second;
    auto lines = section(page, "OPTIONS");
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [&](auto& l) { return trim(l) == tag; }))
        << page << ": " << tag;
  }
  EXPECT_TRUE(tags(section("sipl-completion.1", "OPTIONS")).count("SHELL"));
  std::string completion;
  for (const auto& l : section("sipl-completion.1", "OPTIONS")) completion += l + "\n";
  EXPECT_THAT(squeeze(completion), HasSubstr("SHELL The shell to complete for. Allowed values: bash, zsh."));
  std::string boot;
  for (const auto& l : section("sipl-boot.1", "OPTIONS")) boot += l + "\n";
  EXPECT_THAT(squeeze(boot),
              HasSubstr("--secure-boot on|off secure-boot=on|off (with --disk). Allowed values: on, off."));
}

TEST(ManPages, HelpFooterExamplesAndExitCodesAppearVerbatim) {
  size_t examples = 0;
  for (const auto& c : help()) {
    const std::string page = page_of(c.path);
    std::set<std::string> shown;
    for (const auto& line : section(page, "EXAMPLES")) shown.insert(trim(line));
    for (const auto& e : footer_examples(c.help.footer)) {
      EXPECT_TRUE(shown.count(e)) << page << ": " << e;
      ++examples;
    }
    // "  0  boots" in the footer: a 0 tag and its meaning under EXIT STATUS.
    std::string exits;
    for (const auto& line : section(page, "EXIT STATUS", c.path.size() > 1 ? joined(c.path) : "")) exits += line + "\n";
    bool in_exit = false;
    for (const auto& line : lines_of(c.help.footer)) {
      if (line == "Exit status:")
        in_exit = true;
      else if (!line.starts_with("  "))
        in_exit = false;
      else if (in_exit) {
        const std::string t = trim(line);
        const std::string code = t.substr(0, t.find(' ')), meaning = trim(t.substr(t.find(' ')));
        EXPECT_THAT(squeeze(exits), HasSubstr(code + " " + squeeze(meaning))) << page << ": " << joined(c.path);
      }
    }
  }
  EXPECT_GT(examples, 20u);
}

// An example that names a file of the source tree (examples/...) can be run from a clone as
// it is printed: the file exists.
TEST(ManPages, ExamplesNameOnlyFilesTheTreeHas) {
  size_t named = 0;
  for (const auto& c : help())
    for (const auto& e : footer_examples(c.help.footer)) {
      std::istringstream words(e);
      for (std::string w; words >> w;)
        if (w.starts_with("examples/")) {
          ++named;
          EXPECT_EQ(test::run({"test", "-e", std::string(SIPL_SOURCE_DIR) + "/" + w}).exit_code, 0)
              << joined(c.path) << ": " << e;
        }
    }
  EXPECT_GE(named, 3u);
}

TEST(ManPages, RootPageListsEveryVerbEnvironmentAndRelatedPages) {
  // One tag per verb ("sipl domain validate|to-qemu|..."), saying where its page is.
  const auto lines = section("sipl.1", "COMMANDS");
  std::string commands;
  for (const auto& l : lines) commands += l + "\n";
  for (const auto& v : root_help().subcommands) {
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [&](auto& l) { return indent_of(l) == 7 && (trim(l) + " ").starts_with("sipl " + v + " "); }),
              1)
        << v;
    EXPECT_THAT(squeeze(commands), HasSubstr("See sipl-" + v + "(1).")) << v;
  }
  EXPECT_EQ(tags(section("sipl.1", "ENVIRONMENT")), (std::set<std::string>{"KBUILD_SIGN_PIN", "PATH", "PKCS11_MODULE_PATH"}));
  std::string see;
  for (const auto& l : section("sipl.1", "SEE ALSO")) see += l + "\n";
  std::string expected;
  for (const auto& v : root_help().subcommands) expected += "sipl-" + v + "(1), ";
  EXPECT_THAT(squeeze(see), HasSubstr(expected + "qemu-system-s390x(1), virsh(1), openssl(1)"));
}

TEST(ManPages, VerbPagesSayTheirJsonAndEnvironment) {
  std::string json;
  for (const auto& l : section("sipl-boot.1", "JSON OUTPUT")) json += l + "\n";
  EXPECT_THAT(squeeze(json), HasSubstr("With --json, sipl boot prints one JSON object on standard output; its first "
                                       "key is schema_version (2), and it follows the JSON Schema "
                                       "sipl-boot.schema.json (installed in share/sipl/schemas/json). Then:"));
  EXPECT_THAT(squeeze(json), HasSubstr("verdict boots, boots_with_warnings, halts or no_bootable_device."));
  EXPECT_EQ(tags(section("sipl-sign.1", "ENVIRONMENT")),
            (std::set<std::string>{"KBUILD_SIGN_PIN", "PKCS11_MODULE_PATH"}));
  EXPECT_EQ(tags(section("sipl-keygen.1", "ENVIRONMENT")),
            (std::set<std::string>{"KBUILD_SIGN_PIN", "PKCS11_MODULE_PATH"}));
  // Each domain subcommand with --json has its own JSON OUTPUT subsection; normalize has none.
  EXPECT_FALSE(section("sipl-domain.1", "JSON OUTPUT", "sipl domain caps").empty());
  EXPECT_TRUE(section("sipl-domain.1", "JSON OUTPUT", "sipl domain normalize").empty());
}

TEST(ManPages, EveryJsonCommandNamesItsShippedSchema) {
  // Every command whose --help offers --json names, in its JSON OUTPUT section, the schema file
  // data/schemas/json holds for it; every schema there but the error document's belongs to one.
  std::set<std::string> named;
  for (const auto& c : help()) {
    if (c.path.empty() || std::find(c.help.options.begin(), c.help.options.end(), "--json") == c.help.options.end())
      continue;
    std::string file = "sipl";
    for (const auto& w : c.path) file += "-" + w;
    file += ".schema.json";
    SCOPED_TRACE(file);
    const std::string sub = c.path.size() > 1 ? joined(c.path) : "";
    std::string text;
    for (const auto& l : section(page_of(c.path), "JSON OUTPUT", sub)) text += l + "\n";
    EXPECT_THAT(squeeze(text), HasSubstr("follows the JSON Schema " + file + " (installed in share/sipl/schemas/json)"));
    EXPECT_EQ(test::run({"test", "-f", std::string(SIPL_SOURCE_DIR) + "/data/schemas/json/" + file}).exit_code, 0);
    named.insert(file);
  }
  named.insert("sipl-error.schema.json");
  auto ls = test::run({"ls", std::string(SIPL_SOURCE_DIR) + "/data/schemas/json"});
  EXPECT_EQ(lines_of(ls.out), std::vector<std::string>(named.begin(), named.end()));
}

TEST(ManPages, RoffIsEscapedAndUsesOnlyManMacros) {
  const std::set<std::string> macros{".TH", ".SH", ".SS", ".PP", ".TP", ".B",  ".BR", ".I",
                                     ".RS", ".RE", ".EX", ".EE", ".SY", ".YS"};
  for (const auto& c : help()) {
    if (c.path.size() > 1) continue;
    const std::string page = page_of(c.path);
    for (const auto& line : lines_of(test::read_text(kManDir + "/" + page))) {
      if (line.starts_with(".\\\"")) continue; // comment
      if (line.starts_with(".") || line.starts_with("'")) {
        EXPECT_TRUE(macros.count(line.substr(0, line.find(' ')))) << page << ": " << line;
      }
      for (size_t i = 0; i < line.size(); ++i) {
        EXPECT_FALSE(line[i] == '-' && (i == 0 || line[i - 1] != '\\')) << page << ": unescaped hyphen in " << line;
        EXPECT_LT(static_cast<unsigned char>(line[i]), 0x80u) << page << ": " << line;
      }
    }
  }
  const std::string mkdisk = test::read_text(kManDir + "/sipl-mkdisk.1");
  EXPECT_THAT(mkdisk, HasSubstr("\\-\\-parmline \\(aqconsole=ttysclp0 root=/dev/vda1\\(aq \\-\\-secure 1\n"));
  EXPECT_THAT(mkdisk, HasSubstr("\\-\\-kernel vmlinuz \\e\n"));
}

TEST(ManPages, TheBinaryWritesWhatTheBuildInstalls) {
  // The build ran `sipl __generate-docs`; running it again, with the date the pages carry,
  // writes the same bytes (the build-tree files are not stale).
  const std::string root = test::read_text(kManDir + "/sipl.1");
  const size_t th = root.find("\n.TH SIPL 1 \"");
  ASSERT_NE(th, std::string::npos);
  std::string date = root.substr(th + 13, root.find('"', th + 13) - th - 13);  // 2026\-01\-31
  std::erase(date, '\\');
  test::TempDir dir;
  auto r = test::run_sipl(
      {"__generate-docs", "--man", dir / "man1", "--bash", dir / "sipl", "--zsh", dir / "_sipl", "--date", date});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  for (const auto& v : root_help().subcommands)
    EXPECT_EQ(test::read_text(dir / "man1/sipl-" + v + ".1"), test::read_text(kManDir + "/sipl-" + v + ".1")) << v;
  EXPECT_EQ(test::read_text(dir / "man1/sipl.1"), root);
  EXPECT_EQ(test::read_text(dir / "sipl"),
            test::read_text(std::string(SIPL_GENERATED_DOCS_DIR) + "/bash-completion/sipl"));
  EXPECT_EQ(test::read_text(dir / "_sipl"), test::read_text(std::string(SIPL_GENERATED_DOCS_DIR) + "/zsh/_sipl"));
  // ... and the generator hides itself.
  EXPECT_THAT(test::run_sipl({"--help"}).out, ::testing::Not(HasSubstr("__generate")));
  EXPECT_THAT(root, ::testing::Not(HasSubstr("generate\\-docs\n")));
}

} // namespace
} // namespace sipl
