#include "support/cli_help.h"

#include <sstream>
#include <stdexcept>

#include "support/run.h"

namespace sipl::test {
namespace {

std::string first_word(const std::string& line) {
  const size_t start = line.find_first_not_of(' ');
  const size_t end = line.find(' ', start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

} // namespace

HelpText parse_help(const std::string& text) {
  HelpText h;
  std::istringstream in(text);
  std::string line;
  std::getline(in, h.summary);
  enum { kNone, kPositionals, kOptions, kSubcommands, kFooter } section = kNone;
  while (std::getline(in, line)) {
    if (section == kFooter)
      h.footer += line + "\n";
    else if (line == "Positionals:")
      section = kPositionals;
    else if (line == "Options:")
      section = kOptions;
    else if (line == "Subcommands:")
      section = kSubcommands;
    else if (line.empty())
      continue; // between sections
    else if (section != kNone && line.rfind("  ", 0) != 0) {
      section = kFooter; // the first unindented line after the lists
      h.footer += line + "\n";
    } else if (section == kNone || line.size() < 3 || line[2] == ' ') {
      continue; // the Usage line, or a description continued on its own line
    } else if (section == kPositionals) {
      h.positionals.push_back(first_word(line));
    } else if (section == kSubcommands) {
      h.subcommands.push_back(first_word(line));
    } else {
      std::string names = first_word(line);
      for (size_t at = 0; at <= names.size();) {
        size_t comma = names.find(',', at);
        if (comma == std::string::npos) comma = names.size();
        h.options.push_back(names.substr(at, comma - at));
        at = comma + 1;
      }
    }
  }
  return h;
}

std::vector<HelpCommand> all_help_commands() {
  std::vector<HelpCommand> out;
  std::vector<std::vector<std::string>> todo{{}};
  while (!todo.empty()) {
    auto path = todo.back();
    todo.pop_back();
    auto args = path;
    args.push_back("--help");
    auto r = run_sipl(args);
    if (r.exit_code != 0) throw std::runtime_error("sipl --help failed: " + r.err);
    HelpCommand c{path, parse_help(r.out)};
    for (auto it = c.help.subcommands.rbegin(); it != c.help.subcommands.rend(); ++it) {
      auto sub = path;
      sub.push_back(*it);
      todo.push_back(sub);
    }
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace sipl::test
