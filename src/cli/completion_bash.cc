// The bash completion script: tables (one case per command) generated from the CLI11 tree,
// and one fixed function that walks COMP_WORDS through them. It needs nothing but bash 4
// (not the bash-completion package's helpers), so it can be sourced anywhere.
#include <fmt/format.h>

#include "cli/docgen.h"

namespace sipl::cli {
namespace {

// Returns `s` in single quotes for the shell.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// How a value is completed, in the words _sipl_complete reads: flag, text, file, dir or
// values=a,b (one_of values hold no comma).
std::string value_word(const OptionView& o) {
  if (!o.values.empty()) {
    std::string s = "values=";
    for (size_t i = 0; i < o.values.size(); ++i) s += (i ? "," : "") + o.values[i];
    return s;
  }
  switch (o.kind) {
  case ValueKind::kNone:
    return "flag";
  case ValueKind::kFile:
    return "file";
  case ValueKind::kDirectory:
    return "dir";
  case ValueKind::kText:
    return "text";
  }
  return "text";
}

void walk(const CommandView& c, std::string& subs, std::string& opts, std::string& values, std::string& positionals) {
  std::vector<std::string> names;
  for (const auto& s : c.subcommands) names.push_back(s.path.back());
  if (!names.empty()) subs += fmt::format("    {}) echo {} ;;\n", quote(c.command()), quote(join(names)));
  names.clear();
  for (const auto& o : c.options)
    for (const auto& n : o.names) {
      names.push_back(n);
      if (o.takes_value())
        values += fmt::format("    {}) echo {} ;;\n", quote(c.command() + "|" + n), quote(value_word(o)));
    }
  opts += fmt::format("    {}) echo {} ;;\n", quote(c.command()), quote(join(names)));
  names.clear();
  for (const auto& p : c.positionals) names.push_back(value_word(p) + (p.repeatable ? "*" : ""));
  if (!names.empty()) positionals += fmt::format("    {}) echo {} ;;\n", quote(c.command()), quote(join(names)));
  for (const auto& s : c.subcommands) walk(s, subs, opts, values, positionals);
}

// The part of the script that does not depend on the commands; NAME is the program name.
constexpr const char* kDriver =
    R"bash(# _NAME_complete KIND WORD: sets COMPREPLY for a value of KIND (see _NAME_option_value).
_NAME_complete() {
  case $1 in
    file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
    values=*) local v=${1#values=}; mapfile -t COMPREPLY < <(compgen -W "${v//,/ }" -- "$2") ;;
    *) COMPREPLY=() ;;
  esac
}

_NAME() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=NAME word value_of= dashdash= i=1 npos=0
  COMPREPLY=()
  # Walk the words before the cursor: subcommands extend cmd, options skip their value
  # (the next word, or the one after "=": bash splits --opt=value there), the rest count
  # as positionals.
  while ((i < COMP_CWORD)); do
    word=${COMP_WORDS[i]}
    i=$((i + 1))
    if [[ -z $dashdash && $word == -- ]]; then
      dashdash=1
    elif [[ -n $dashdash || $word != -* ]]; then
      if [[ -z $dashdash ]] && ((npos == 0)) && [[ " $(_NAME_subcommands "$cmd") " == *" $word "* ]]; then
        cmd="$cmd $word"
      else
        npos=$((npos + 1))
      fi
    elif [[ $word != *=* && $(_NAME_option_value "$cmd" "$word") != flag ]]; then
      if ((i == COMP_CWORD)); then
        value_of=$word
        [[ $cur == = ]] && cur=
        break
      fi
      [[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
      if ((i == COMP_CWORD)); then
        value_of=$word
        break
      fi
      i=$((i + 1))
    fi
  done
  if [[ -n $value_of ]]; then
    _NAME_complete "$(_NAME_option_value "$cmd" "$value_of")" "$cur"
  elif [[ -z $dashdash && $cur == -* ]]; then
    _NAME_complete "values=$(_NAME_options "$cmd" | tr ' ' ,)" "$cur"
  elif [[ -z $dashdash ]] && ((npos == 0)) && [[ -n $(_NAME_subcommands "$cmd") ]]; then
    _NAME_complete "values=$(_NAME_subcommands "$cmd" | tr ' ' ,)" "$cur"
  else
    local kinds kind=
    read -ra kinds <<<"$(_NAME_positionals "$cmd")"
    if ((npos < ${#kinds[@]})); then
      kind=${kinds[npos]}
    elif ((${#kinds[@]} > 0)) && [[ ${kinds[-1]} == *\* ]]; then
      kind=${kinds[-1]}
    fi
    _NAME_complete "${kind%\*}" "$cur"
  fi
  return 0
}

complete -F _NAME NAME
)bash";

} // namespace

std::string bash_completion(const CommandView& root) {
  const std::string& name = root.path[0];
  std::string subs, opts, values, positionals;
  walk(root, subs, opts, values, positionals);
  std::string driver = kDriver;
  for (size_t at; (at = driver.find("NAME")) != std::string::npos;) driver.replace(at, 4, name);
  return fmt::format("# bash completion for {0}(1)                                  -*- shell-script -*-\n"
                     "# Generated by `{0} completion bash` from {0}'s command line definitions; do not edit.\n"
                     "# Install as /usr/share/bash-completion/completions/{0}, or: source <({0} completion bash)\n"
                     "\n"
                     "# _{0}_subcommands CMD: the subcommands of CMD (\"{0} domain\").\n"
                     "_{0}_subcommands() {{\n  case $1 in\n{1}  esac\n}}\n\n"
                     "# _{0}_options CMD: the options of CMD.\n"
                     "_{0}_options() {{\n  case $1 in\n{2}  esac\n}}\n\n"
                     "# _{0}_option_value CMD OPTION: how OPTION's value completes: flag (it takes none), text,\n"
                     "# file, dir, or values=A,B.\n"
                     "_{0}_option_value() {{\n  case \"$1|$2\" in\n{3}    *) echo flag ;;\n  esac\n}}\n\n"
                     "# _{0}_positionals CMD: the kind of each positional argument; * marks one that repeats.\n"
                     "_{0}_positionals() {{\n  case $1 in\n{4}  esac\n}}\n\n"
                     "{5}",
                     name, subs, opts, values, positionals, driver);
}

} // namespace sipl::cli
