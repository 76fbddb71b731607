// What an installed sipl consists of, as paths relative to a root (a DESTDIR, or a .deb
// extracted with dpkg-deb -x), and the helpers the install and package tests share.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace sipl::test {

// Returns the top-level verbs `sipl --help` lists under "Subcommands:", in the order shown.
std::vector<std::string> verbs_in_help(const std::string& help);

// Returns every regular file and symlink under `root`, relative to it ("usr/bin/sipl").
std::set<std::string> files_under(const std::string& root);

// Returns the man pages (sipl.1 and sipl-VERB.1 for every verb, with `suffix` appended, e.g.
// ".gz") and the bash and zsh completions of an install with prefix /usr.
std::set<std::string> man_pages_and_completions(const std::vector<std::string>& verbs, const std::string& suffix);

// Returns the rest of an install with prefix /usr: the binary, and the README, licence, docs,
// example domains and schemas as the source tree at `source_dir` has them.
std::set<std::string> tool_docs_and_schemas(const std::string& source_dir);

// Returns the elements of `a` that are not in `b`, one per line (for failure messages).
std::string lines_not_in(const std::set<std::string>& a, const std::set<std::string>& b);

}  // namespace sipl::test
