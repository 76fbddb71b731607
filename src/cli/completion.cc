// `sipl completion bash|zsh`: print the shell completion script, the same text the build
// installs (docgen.h), for `source <(sipl completion bash)` or a user's own fpath.
#include <cstdio>
#include <memory>

#include "cli/doc.h"
#include "cli/docgen.h"
#include "cli/verbs.h"

namespace sipl::cli {
namespace {

void setup(CLI::App& parent, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* app = parent.add_subcommand("completion", "Print the shell completion script for bash or zsh");
  app->add_option("SHELL", *shell, "The shell to complete for")->required()->check(one_of({"bash", "zsh"}));
  document(
      app,
      {
          .description = {"Prints a completion script for `sipl`: its verbs, subcommands and options, the values of "
                          "options that take one of a fixed set (`--secure-boot on|off`, `--sclab global|plain`, ...) "
                          "and file names where a file is expected. It is generated from the same definitions "
                          "`sipl` parses its command line with, as are these manual pages.",
                          "Installed packages already carry the scripts (bash: "
                          "/usr/share/bash-completion/completions/sipl, zsh: "
                          "/usr/share/zsh/vendor-completions/_sipl); this command serves a sipl run from a build "
                          "tree or a home directory."},
          .exit_status = {{0, "the script was printed"}, {2, "usage error (no or an unknown SHELL)"}},
          .examples = {{"source <(sipl completion bash)", "Complete sipl in the running bash"},
                       {"sipl completion zsh > ~/.zfunc/_sipl", "Install the zsh completion for one user "
                                                                "(with ~/.zfunc in $fpath before compinit)"}},
          .see_also = {"bash(1)", "zshcompsys(1)"},
      });
  app->callback([app, shell, &ctx] {
    run_verb(ctx, [&]() -> Result<int> {
      const CommandView root = describe_commands(*app->get_parent(), kProgramName);
      const std::string script = *shell == "bash" ? bash_completion(root) : zsh_completion(root);
      std::fwrite(script.data(), 1, script.size(), stdout);
      return 0;
    });
  });
}

SIPL_REGISTER_VERB(90, setup);

} // namespace
} // namespace sipl::cli
