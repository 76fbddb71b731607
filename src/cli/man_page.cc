// sipl(1) and sipl-VERB(1) in man(7) roff, with the groff/mandoc extensions .SY/.YS and .EX/.EE.
#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/docgen.h"
#include "cli/roff.h"

namespace sipl::cli {
namespace {

using roff::bold;
using roff::escape;
using roff::italic;
using roff::prose;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Returns `text` ending in a full stop, as a sentence in a man page should.
std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') text += '.';
  return text;
}

// "on|off" in bold, or the placeholder in italics.
std::string value_syntax(const OptionView& o) {
  if (!o.values.empty()) {
    std::string s;
    for (const auto& v : o.values) s += (s.empty() ? "" : "|") + bold(v);
    return s;
  }
  return italic(o.placeholder.empty() ? "VALUE" : o.placeholder);
}

std::string option_syntax(const OptionView& o) {
  std::string s;
  for (const auto& n : o.names) s += (s.empty() ? "" : ", ") + bold(n);
  if (o.takes_value()) s += " " + value_syntax(o);
  return s;
}

// "..." ends no sentence: \& keeps roff from putting two spaces after it.
std::string positional_syntax(const OptionView& p) {
  std::string s = italic(p.placeholder) + (p.repeatable ? "...\\&" : "");
  return p.required ? s : "[" + s + "]";
}

// One synopsis per runnable command: required options, [OPTION]..., then the positionals.
void synopsis(std::string& out, const CommandView& c) {
  if (!c.subcommands.empty()) {
    for (const auto& s : c.subcommands) synopsis(out, s);
    return;
  }
  out += fmt::format(".SY \"{}\"\n", escape(c.command()));
  for (const auto& o : c.options)
    if (o.required) out += fmt::format("{} {}\n", bold(o.names.back()), value_syntax(o));
  out += "[" + italic("OPTION") + "]...\\&\n";
  for (const auto& p : c.positionals) out += positional_syntax(p) + "\n";
  out += ".YS\n";
}

void option_item(std::string& out, const std::string& tag, const OptionView& o) {
  out += fmt::format(".TP\n{}\n{}\n", tag, prose(sentence(o.description)));
  if (!o.values.empty()) {
    std::string vs;
    for (const auto& v : o.values) vs += (vs.empty() ? "" : ", ") + bold(v);
    out += "Allowed values: " + vs + ".\n";
  }
  if (!o.default_value.empty()) out += "Default: " + bold(o.default_value) + ".\n";
  if (o.names.empty()) return; // a positional's SYNOPSIS says whether it is required or repeats
  if (o.required) out += "Required.\n";
  if (o.repeatable) out += "May be given more than once.\n";
}

void option_list(std::string& out, const CommandView& c) {
  for (const auto& p : c.positionals) option_item(out, italic(p.placeholder) + (p.repeatable ? "..." : ""), p);
  for (const auto& o : c.options) option_item(out, option_syntax(o), o);
}

void paragraphs(std::string& out, const std::vector<std::string>& texts) {
  for (const auto& t : texts) out += ".PP\n" + prose(t) + "\n";
}

void description(std::string& out, const CommandView& c) {
  if (c.doc && !c.doc->description.empty()) {
    paragraphs(out, c.doc->description);
  } else {
    std::string s = sentence(c.summary); // a one-line description as a sentence
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    out += ".PP\n" + prose(s) + "\n";
  }
  if (c.doc) paragraphs(out, c.doc->notes);
}

void exit_list(std::string& out, const std::vector<ExitStatus>& codes) {
  for (const auto& e : codes) out += fmt::format(".TP\n.B {}\n{}\n", e.code, prose(sentence(e.meaning)));
}

void json_list(std::string& out, const CommandView& c, bool root) {
  if (root)
    out += fmt::format(".PP\nEvery command with a {} option then prints one JSON object on standard output "
                       "instead of text. Messages still go to standard error; an error that stops a command "
                       "(exit 2, 3 or 4) prints the error document described below. Every document begins "
                       "with:\n",
                       bold("--json"));
  else {
    // The schema file is named after the command: sipl-diag-320.schema.json for `sipl diag 320`.
    std::string schema = c.command();
    std::replace(schema.begin(), schema.end(), ' ', '-');
    out += fmt::format(".PP\nWith {}, {} prints one JSON object on standard output; its first key is {} ({}), "
                       "and it follows the JSON Schema {} (installed in share/sipl/schemas/json). Then:\n",
                       bold("--json"), bold(c.command()), bold("schema_version"), kJsonSchemaVersion,
                       escape(schema + ".schema.json", false));
  }
  for (const auto& f : c.doc->json) out += fmt::format(".TP\n{}\n{}\n", bold(f.key), prose(sentence(f.meaning)));
}

void example_list(std::string& out, const std::vector<Example>& examples) {
  for (const auto& e : examples)
    out += fmt::format(".PP\n{}\n.PP\n.RS 4\n.EX\n{}\n.EE\n.RE\n", prose(sentence(e.explanation)), escape(e.command));
}

// Returns the commands in `c` and below that carry documentation, `c` first.
void documented(const CommandView& c, std::vector<const CommandView*>& out) {
  if (c.doc) out.push_back(&c);
  for (const auto& s : c.subcommands) documented(s, out);
}

void see_also(std::string& out, const CommandView& root, const CommandView* self) {
  std::vector<std::string> refs;
  if (self) refs.push_back(root.path[0] + "(1)");
  for (const auto& v : root.subcommands)
    if (&v != self) refs.push_back(v.slug() + "(1)");
  std::vector<const CommandView*> docs;
  documented(self ? *self : root, docs);
  std::set<std::string> seen(refs.begin(), refs.end());
  for (const auto* d : docs)
    for (const auto& r : d->doc->see_also)
      if (seen.insert(r).second) refs.push_back(r);
  out += ".SH \"SEE ALSO\"\n";
  for (size_t i = 0; i < refs.size(); ++i) {
    const auto& r = refs[i];
    const size_t paren = r.find('(');
    out += fmt::format(".BR \\%{} {}{}\n", escape(r.substr(0, paren)), escape(r.substr(paren)),
                       i + 1 < refs.size() ? "," : "");
  }
}

void header(std::string& out, const std::string& name, const std::string& summary, const ManOptions& mo) {
  out += fmt::format(".\\\" {}(1), generated by `sipl __generate-docs` from sipl's command line\n"
                     ".\\\" definitions (src/cli); edit those, not this file.\n",
                     name);
  out += fmt::format(".TH {} 1 \"{}\" \"sipl {}\" \"sipl Manual\"\n", escape(upper(name)), escape(mo.date),
                     escape(mo.version));
  out += fmt::format(".SH NAME\n{} \\- {}\n", escape(name), escape(summary));
}

// The common tail of every page: exit status, JSON, environment, examples. A verb's page
// covers its subcommands too; sipl(1) says what holds for all verbs and lists every verb's
// environment variables.
void doc_sections(std::string& out, const CommandView& c, bool root) {
  std::vector<const CommandView*> all;
  documented(c, all);
  std::vector<const CommandView*> docs = all;
  if (root) docs.assign(1, &c);
  if (!c.doc) docs.erase(std::remove(docs.begin(), docs.end(), &c), docs.end());
  const auto titled = [&](const CommandView* d) {
    if (d != &c) out += fmt::format(".SS \"{}\"\n", escape(d->command()));
  };
  const auto any = [&](auto member) {
    return std::any_of(docs.begin(), docs.end(), [&](auto* d) { return !(d->doc->*member).empty(); });
  };
  if (any(&CommandDoc::exit_status)) {
    out += ".SH \"EXIT STATUS\"\n";
    for (const auto* d : docs)
      if (!d->doc->exit_status.empty()) {
        titled(d);
        exit_list(out, d->doc->exit_status);
      }
  }
  if (any(&CommandDoc::json)) {
    out += ".SH \"JSON OUTPUT\"\n";
    for (const auto* d : docs) {
      if (d->doc->json.empty()) continue;
      titled(d);
      json_list(out, *d, root);
    }
  }
  std::vector<EnvVar> env;
  std::set<std::string> seen;
  for (const auto* d : all)
    for (const auto& e : d->doc->environment)
      if (seen.insert(e.name).second) env.push_back(e);
  if (!env.empty()) {
    out += ".SH ENVIRONMENT\n";
    for (const auto& e : env) out += fmt::format(".TP\n.B {}\n{}\n", escape(e.name), prose(sentence(e.meaning)));
  }
  if (any(&CommandDoc::examples)) {
    out += ".SH EXAMPLES\n";
    for (const auto* d : docs) example_list(out, d->doc->examples);
  }
}

std::string verb_page(const CommandView& root, const CommandView& v, const ManOptions& mo) {
  std::string out;
  header(out, v.slug(), v.summary, mo);
  out += ".SH SYNOPSIS\n";
  synopsis(out, v);
  out += ".SH DESCRIPTION\n";
  description(out, v);
  out += ".SH OPTIONS\n";
  option_list(out, v);
  if (!v.subcommands.empty()) {
    out += ".SH COMMANDS\n";
    for (const auto& s : v.subcommands) {
      out += fmt::format(".SS \"{}\"\n", escape(s.command()));
      description(out, s);
      if (!s.positionals.empty() || !s.options.empty()) {
        out += ".PP\nArguments and options:\n";
        option_list(out, s);
      }
    }
  }
  doc_sections(out, v, false);
  see_also(out, root, &v);
  return out;
}

std::string root_page(const CommandView& root, const ManOptions& mo) {
  const std::string& name = root.path[0];
  std::string out;
  header(out, name, root.summary, mo);
  out += ".SH SYNOPSIS\n";
  out += fmt::format(".SY {}\n{} [{}]... [{}]...\n.YS\n", escape(name), italic("COMMAND"), italic("OPTION"),
                     italic("ARG"));
  for (const auto& o : root.options) out += fmt::format(".SY {}\n{}\n.YS\n", escape(name), bold(o.names.back()));
  out += ".SH DESCRIPTION\n";
  description(out, root);
  out += ".SH COMMANDS\n";
  for (const auto& v : root.subcommands) {
    std::string subs;
    for (const auto& s : v.subcommands) subs += (subs.empty() ? "" : "|") + s.path.back();
    out += fmt::format(".TP\n{}{}\n{} See {}(1).\n", bold(v.command()), subs.empty() ? "" : " " + bold(subs),
                       prose(sentence(v.summary)), bold(v.slug()));
  }
  out += ".SH OPTIONS\n";
  option_list(out, root);
  doc_sections(out, root, true);
  see_also(out, root, nullptr);
  return out;
}

} // namespace

std::vector<ManPage> man_pages(const CommandView& root, const ManOptions& options) {
  std::vector<ManPage> pages;
  pages.push_back({root.path[0] + ".1", root_page(root, options)});
  for (const auto& v : root.subcommands) pages.push_back({v.slug() + ".1", verb_page(root, v, options)});
  return pages;
}

} // namespace sipl::cli
