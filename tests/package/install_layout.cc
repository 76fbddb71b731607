#include "package/install_layout.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace sipl::test {

std::vector<std::string> verbs_in_help(const std::string& help) {
  std::vector<std::string> verbs;
  std::istringstream in(help);
  std::string line;
  bool in_list = false;
  while (std::getline(in, line)) {
    std::string lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "subcommands:") {
      in_list = true;
      continue;
    }
    if (!in_list) continue;
    // CLI11 indents each entry by two spaces: "  certs    Show the certificate store ...".
    if (line.size() < 3 || line.compare(0, 2, "  ") != 0 || line[2] == ' ') break;
    verbs.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return verbs;
}

std::set<std::string> files_under(const std::string& root) {
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_symlink() || e.is_regular_file()) files.insert(fs::relative(e.path(), root).string());
  return files;
}

std::set<std::string> man_pages_and_completions(const std::vector<std::string>& verbs, const std::string& suffix) {
  std::set<std::string> files{"usr/share/man/man1/sipl.1" + suffix, "usr/share/bash-completion/completions/sipl",
                              "usr/share/zsh/vendor-completions/_sipl"};
  for (const auto& v : verbs) files.insert("usr/share/man/man1/sipl-" + v + ".1" + suffix);
  return files;
}

std::set<std::string> tool_docs_and_schemas(const std::string& source_dir) {
  std::set<std::string> files{"usr/bin/sipl", "usr/share/doc/sipl/README.md", "usr/share/doc/sipl/LICENSE"};
  const fs::path src(source_dir);
  for (const auto& e : fs::recursive_directory_iterator(src / "docs"))
    if (e.is_regular_file() && e.path().extension() == ".md")
      files.insert("usr/share/doc/sipl/" + fs::relative(e.path(), src / "docs").string());
  for (const auto& e : fs::recursive_directory_iterator(src / "examples/domains"))
    if (e.is_regular_file()) files.insert("usr/share/doc/sipl/examples/" + fs::relative(e.path(), src / "examples").string());
  for (const auto& e : fs::recursive_directory_iterator(src / "data/schemas"))
    if (e.is_regular_file()) files.insert("usr/share/sipl/" + fs::relative(e.path(), src / "data").string());
  return files;
}

std::string lines_not_in(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::string out;
  for (const auto& x : a)
    if (!b.contains(x)) out += "  " + x + "\n";
  return out;
}

}  // namespace sipl::test
