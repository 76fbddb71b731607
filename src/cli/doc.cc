#include "cli/doc.h"

#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace sipl::cli {
namespace {

// The name under which one_of() files its validator with CLI11.
constexpr const char* kOneOf = "sipl-one-of";

std::map<const CLI::App*, CommandDoc>& docs() {
  static std::map<const CLI::App*, CommandDoc> d;
  return d;
}

} // namespace

CLI::App* document(CLI::App* cmd, CommandDoc doc) {
  cmd->footer(help_footer(doc));
  docs()[cmd] = std::move(doc);
  return cmd;
}

const CommandDoc* documentation(const CLI::App* cmd) {
  auto it = docs().find(cmd);
  return it == docs().end() ? nullptr : &it->second;
}

std::string help_footer(const CommandDoc& doc) {
  std::string s;
  for (const auto& n : doc.notes) s += n + "\n";
  if (!doc.exit_status.empty()) {
    if (!s.empty()) s += "\n";
    s += "Exit status:\n";
    for (const auto& e : doc.exit_status) s += fmt::format("  {}  {}\n", e.code, e.meaning);
  }
  if (!doc.examples.empty()) {
    if (!s.empty()) s += "\n";
    s += doc.examples.size() == 1 ? "Example:\n" : "Examples:\n";
    for (size_t i = 0; i < doc.examples.size(); ++i) {
      if (i) s += "\n";
      s += fmt::format("  # {}\n  {}\n", doc.examples[i].explanation, doc.examples[i].command);
    }
  }
  if (!s.empty() && s.back() == '\n') s.pop_back(); // CLI11 ends the footer with its own newline
  return s;
}

CLI::Validator one_of(const std::vector<std::string>& values) {
  for (const auto& v : values)
    if (v.empty() || v.find_first_of(",{}") != std::string::npos)
      throw std::logic_error("one_of: value '" + v + "' cannot be listed in {a,b}");
  CLI::Validator v = CLI::IsMember(values);
  v.name(kOneOf);
  return v;
}

std::vector<std::string> allowed_values(const CLI::Option& opt) {
  // CLI11 hands out validators only through a non-const accessor; reading one changes nothing.
  CLI::Validator* v = nullptr;
  try {
    v = const_cast<CLI::Option&>(opt).get_validator(kOneOf);
  } catch (const CLI::OptionNotFound&) {
    return {};
  }
  // IsMember describes itself as "{a,b,c}"; one_of() made sure no value holds ",{}".
  std::string d = v->get_description();
  if (d.size() < 2 || d.front() != '{' || d.back() != '}') throw std::logic_error("one_of: unexpected " + d);
  std::vector<std::string> out;
  std::string cur;
  for (char c : d.substr(1, d.size() - 2)) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

ValueKind value_kind(const std::string& placeholder) {
  if (placeholder.empty()) return ValueKind::kNone;
  if (placeholder == "DIR") return ValueKind::kDirectory;
  if (placeholder == "FILE" || placeholder == "PATH" || placeholder == "DISK" || placeholder == "XML" ||
      placeholder.ends_with("-FILE") || placeholder.ends_with("-PATH"))
    return ValueKind::kFile;
  return ValueKind::kText;
}

} // namespace sipl::cli
