// The bash and zsh completions the build generates, run in real shells: bash calls _sipl with
// COMP_WORDS set as readline would; zsh completes typed lines in a pseudo-terminal
// (support/zsh_complete.zsh). What they must offer comes from `sipl ... --help`
// (support/cli_help.h), not from the generator.
#include <algorithm>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/cli_help.h"
#include "support/run.h"

namespace sipl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Words = std::vector<std::string>;

const std::string kDocs = SIPL_GENERATED_DOCS_DIR;
const std::string kBashScript = kDocs + "/bash-completion/sipl";
const std::string kZshDir = kDocs + "/zsh";

const std::vector<test::HelpCommand>& help() {
  static const auto commands = test::all_help_commands();
  return commands;
}

Words lines_of(const std::string& text) {
  Words out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

Words sorted(Words w) {
  std::sort(w.begin(), w.end());
  return w;
}

// A directory with files to complete: guest.img, guest.qcow2, notes.txt and keys/.
class Files {
public:
  Files() {
    for (const char* f : {"guest.img", "guest.qcow2", "notes.txt"}) test::write_text(dir_ / f, "");
    test::sh("mkdir " + dir_ / "keys");
  }
  const std::string& path() const { return dir_.path(); }

private:
  test::TempDir dir_;
};

const Files& files() {
  static const Files f;
  return f;
}

// Returns COMPREPLY after bash's _sipl ran on `words`, the last being the word at the cursor
// (possibly empty), in directory files().
Words bash_complete(const Words& words) {
  static const test::TempDir dir;
  static const std::string driver = [] {
    const std::string path = dir / "drive.bash";
    test::write_text(path, "source \"$1\" || exit 9\n"
                           "cd \"$2\" || exit 9\n"
                           "COMP_CWORD=$3\n"
                           "shift 3\n"
                           "COMP_WORDS=(\"$@\")\n"
                           "COMP_LINE=\"${COMP_WORDS[*]}\"\n"
                           "COMP_POINT=${#COMP_LINE}\n"
                           "_sipl sipl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                           "(( ${#COMPREPLY[@]} )) && printf '%s\\n' \"${COMPREPLY[@]}\"\n"
                           "exit 0\n");
    return path;
  }();
  Words argv{"bash", "--norc", "--noprofile", driver, kBashScript, files().path(), std::to_string(words.size() - 1)};
  argv.insert(argv.end(), words.begin(), words.end());
  auto r = test::run(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return lines_of(r.out);
}

Words with(Words path, const std::string& last) {
  path.insert(path.begin(), "sipl");
  path.push_back(last);
  return path;
}

TEST(BashCompletion, ScriptLoadsAndRegistersItself) {
  auto r = test::run({"bash", "--norc", "--noprofile", "-c", "source \"$0\" && complete -p sipl", kBashScript});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "complete -F _sipl sipl\n");
  EXPECT_EQ(r.err, "");
  // `sipl completion bash` prints the script the build installs.
  auto printed = test::run_sipl({"completion", "bash"});
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, test::read_text(kBashScript));
}

TEST(BashCompletion, VerbsSubcommandsAndOptionsAreThoseOfHelp) {
  size_t options = 0;
  for (const auto& c : help()) {
    const std::string where = "sipl" + [&] {
      std::string s;
      for (const auto& w : c.path) s += " " + w;
      return s;
    }();
    EXPECT_EQ(sorted(bash_complete(with(c.path, "-"))), sorted(c.help.options)) << where;
    options += c.help.options.size();
    if (!c.help.subcommands.empty()) {
      EXPECT_EQ(sorted(bash_complete(with(c.path, ""))), sorted(c.help.subcommands)) << where;
    }
  }
  EXPECT_GT(options, 100u);
  EXPECT_THAT(bash_complete({"sipl", "bo"}), ElementsAre("boot"));
  EXPECT_THAT(bash_complete({"sipl", "domain", "t"}), ElementsAre("to-qemu"));
  EXPECT_THAT(bash_complete({"sipl", "diag", "5"}), ElementsAre("508"));
  EXPECT_THAT(bash_complete({"sipl", "domain", "validate", "--qemu"}), ElementsAre("--qemu-version", "--qemu"));
  EXPECT_THAT(bash_complete({"sipl", "__"}), IsEmpty()); // the hidden generator
}

TEST(BashCompletion, OptionValuesFromTheirFixedSets) {
  const std::pair<Words, Words> cases[] = {
      {{"sipl", "boot", "--secure-boot", ""}, {"on", "off"}},
      {{"sipl", "boot", "--secure-boot", "of"}, {"off"}},
      {{"sipl", "sign", "--sclab", ""}, {"global", "plain"}},
      {{"sipl", "sign", "--digest", "sha"}, {"sha256", "sha384", "sha512"}},
      {{"sipl", "keygen", "--type", "p"}, {"p256", "p384", "p521"}},
      {{"sipl", "mkdisk", "--secure", ""}, {"auto", "1", "0"}},
      {{"sipl", "mkdisk", "--block-size", ""}, {"512", "4096"}},
      {{"sipl", "verify", "--block-size", "4"}, {"4096"}},
      {{"sipl", "inspect", "--block-size", ""}, {"512", "4096"}},
      {{"sipl", "completion", ""}, {"bash", "zsh"}},
      // --opt=value: bash splits the word at '=' (COMP_WORDBREAKS).
      {{"sipl", "boot", "--secure-boot", "="}, {"on", "off"}},
      {{"sipl", "boot", "--secure-boot", "=", "o"}, {"on", "off"}},
      {{"sipl", "sign", "--sclab", "=", "g"}, {"global"}},
      // Values of other options are skipped, even when they look like a verb or a subcommand.
      {{"sipl", "boot", "--disk", "domain", "--at", "now", "--secure-boot", ""}, {"on", "off"}},
      {{"sipl", "boot", "--disk=guest.img", "--secure-boot", ""}, {"on", "off"}},
      // Free-form values and arguments complete nothing.
      {{"sipl", "boot", "--at", ""}, {}},
      {{"sipl", "keygen", "--days", ""}, {}},
      {{"sipl", "completion", "bash", ""}, {}},
      {{"sipl", "boot", "--", "qemu-system-s390x", "-"}, {}},
  };
  for (const auto& [words, expected] : cases) {
    std::string line;
    for (const auto& w : words) line += w + " ";
    EXPECT_EQ(bash_complete(words), expected) << line;
  }
}

TEST(BashCompletion, FileArgumentsCompleteFileNames) {
  const std::pair<Words, Words> cases[] = {
      {{"sipl", "boot", "--disk", "gu"}, {"guest.img", "guest.qcow2"}},
      {{"sipl", "boot", "--domain", ""}, {"guest.img", "guest.qcow2", "keys", "notes.txt"}},
      {{"sipl", "sign", "--key", "k"}, {"keys"}},
      {{"sipl", "sign", "-o", "n"}, {"notes.txt"}},
      {{"sipl", "sign", "--key", "k", "--cert", "k", "n"}, {"notes.txt"}},
      {{"sipl", "certs", ""}, {"guest.img", "guest.qcow2", "keys", "notes.txt"}},
      {{"sipl", "certs", "--at", "now", "keys", "g"}, {"guest.img", "guest.qcow2"}},
      {{"sipl", "verify", "guest.img", "k"}, {"keys"}},
      {{"sipl", "inspect", "guest.q"}, {"guest.qcow2"}},
      {{"sipl", "domain", "validate", "--rng", "n"}, {"notes.txt"}},
      {{"sipl", "diag", "508", "--signature", "n"}, {"notes.txt"}},
  };
  for (const auto& [words, expected] : cases) {
    std::string line;
    for (const auto& w : words) line += w + " ";
    EXPECT_EQ(sorted(bash_complete(words)), expected) << line;
  }
}

// Returns, for each line, the matches zsh offers after the line was typed and TAB pressed.
std::vector<Words> zsh_complete(const Words& typed) {
  std::string input;
  for (const auto& t : typed) input += t + "\n";
  const test::TempDir dir;
  test::write_text(dir / "in", input);
  auto r = test::sh("zsh -f " + std::string(SIPL_SOURCE_DIR) + "/tests/support/zsh_complete.zsh " + kZshDir + " " +
                    files().path() + " < " + (dir / "in"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Words> out(1);
  for (const auto& line : lines_of(r.out)) {
    if (line == "--")
      out.emplace_back();
    else
      out.back().push_back(line);
  }
  out.pop_back();
  EXPECT_EQ(out.size(), typed.size()) << r.out;
  out.resize(typed.size());
  return out;
}

// Returns the distinct matches, sorted (zsh may add a match twice, e.g. with and without its
// description).
Words unique(const Words& w) {
  std::set<std::string> s(w.begin(), w.end());
  return {s.begin(), s.end()};
}

TEST(ZshCompletion, ScriptParsesAndRegistersItself) {
  const std::string script = kZshDir + "/_sipl";
  auto n = test::run({"zsh", "-n", script});
  EXPECT_EQ(n.exit_code, 0) << n.err;
  EXPECT_EQ(n.err, "");
  // Sourced (source <(sipl completion zsh)) after compinit, it registers _sipl for sipl.
  auto r = test::run(
      {"zsh", "-f", "-c", "autoload -Uz compinit && compinit -u -D && source \"$0\" && print $_comps[sipl]", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "_sipl\n");
  EXPECT_EQ(r.err, "");
  auto printed = test::run_sipl({"completion", "zsh"});
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, test::read_text(script));
}

TEST(ZshCompletion, VerbsSubcommandsOptionsAndValues) {
  Words typed;
  std::vector<Words> expected;
  for (const auto& c : help()) {
    std::string line = "sipl";
    for (const auto& w : c.path) line += " " + w;
    typed.push_back(line + " -");
    expected.push_back(sorted(c.help.options));
    if (!c.help.subcommands.empty()) {
      typed.push_back(line + " ");
      expected.push_back(sorted(c.help.subcommands));
    }
  }
  const std::pair<std::string, Words> cases[] = {
      {"sipl bo", {"boot"}},
      {"sipl boot --secure-boot ", {"off", "on"}},
      {"sipl boot --secure-boot=", {"off", "on"}},
      {"sipl sign --sclab ", {"global", "plain"}},
      {"sipl sign --digest sha", {"sha256", "sha384", "sha512"}},
      {"sipl keygen --type p", {"p256", "p384", "p521"}},
      {"sipl mkdisk --secure ", {"0", "1", "auto"}},
      {"sipl verify --block-size ", {"4096", "512"}},
      {"sipl completion ", {"bash", "zsh"}},
      {"sipl boot --disk gu", {"guest.img", "guest.qcow2"}},
      {"sipl sign --key k", {"keys"}},
      {"sipl certs ", {"guest.img", "guest.qcow2", "keys", "notes.txt"}},
      {"sipl domain validate n", {"notes.txt"}},
      {"sipl boot --at ", {}},
      {"sipl __gen", {}},
  };
  for (const auto& [line, want] : cases) {
    typed.push_back(line);
    expected.push_back(want);
  }
  const auto got = zsh_complete(typed);
  size_t options = 0;
  for (size_t i = 0; i < typed.size(); ++i) {
    EXPECT_EQ(unique(got[i]), expected[i]) << "'" << typed[i] << "'";
    if (typed[i].ends_with(" -")) options += expected[i].size();
  }
  EXPECT_GT(options, 100u);
}

TEST(CompletionVerb, RefusesOtherShellsNamingTheTwo) {
  auto r = test::run_sipl({"completion", "fish"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "sipl: error: SHELL: fish not in {bash,zsh}\nsipl: note: see sipl completion --help\n");
}

} // namespace
} // namespace sipl
