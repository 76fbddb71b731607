#include "cli/command_tree.h"

namespace sipl::cli {
namespace {

OptionView option_view(const CLI::Option& o) {
  OptionView v;
  v.description = o.get_description();
  v.required = o.get_required();
  v.repeatable = o.get_expected_max() >= CLI::detail::expected_max_vector_size;
  v.values = allowed_values(o);
  v.default_value = o.get_default_str();
  if (o.get_positional()) {
    v.placeholder = o.get_name(true, false);
  } else {
    for (const auto& s : o.get_snames()) v.names.push_back("-" + s);
    for (const auto& l : o.get_lnames()) v.names.push_back("--" + l);
    if (o.get_expected_max() != 0) {
      // CLI11's type name carries the validators after ':' ("TEXT:{on,off}").
      const std::string t = o.get_type_name();
      v.placeholder = t.substr(0, t.find(':'));
    }
  }
  if (o.get_expected_max() == 0)
    v.kind = ValueKind::kNone; // a flag
  else if (!v.values.empty())
    v.kind = ValueKind::kText;
  else if (v.placeholder.empty())
    v.kind = ValueKind::kText;
  else
    v.kind = value_kind(v.placeholder);
  return v;
}

CommandView view_of(const CLI::App& app, std::vector<std::string> path) {
  CommandView c;
  c.path = std::move(path);
  c.summary = app.get_description();
  c.doc = documentation(&app);
  c.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue; // hidden
    if (o->get_positional() && !o->nonpositional())
      c.positionals.push_back(option_view(*o));
    else
      c.options.push_back(option_view(*o));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); })) {
    if (sub->get_group().empty()) continue; // hidden (e.g. the doc generator itself)
    auto p = c.path;
    p.push_back(sub->get_name());
    c.subcommands.push_back(view_of(*sub, std::move(p)));
  }
  return c;
}

std::string join(const std::vector<std::string>& words, const char* sep) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : sep) + w;
  return s;
}

} // namespace

std::string CommandView::command() const { return join(path, " "); }
std::string CommandView::slug() const { return join(path, "-"); }

CommandView describe_commands(const CLI::App& root, const std::string& program) { return view_of(root, {program}); }

} // namespace sipl::cli
