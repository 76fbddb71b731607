// `sipl __generate-docs`: the build step that writes the man pages and completion scripts
// from the command line this binary parses (docgen.h). Hidden: not in --help, the man pages
// or the completions.
#include <filesystem>
#include <memory>

#include "cli/docgen.h"
#include "cli/verbs.h"
#include "sipl/base/file.h"

namespace sipl::cli {
namespace {

struct GenerateOptions {
  std::string man_dir, bash, zsh, date;
};

Result<int> generate(const CLI::App& root, const GenerateOptions& o) {
  const CommandView view = describe_commands(root, kProgramName);
  if (!o.man_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.man_dir, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot create the directory: " + ec.message(), Location(o.man_dir));
    for (const auto& page : man_pages(view, {SIPL_VERSION, o.date}))
      if (auto s = write_file_atomic(o.man_dir + "/" + page.file_name, as_bytes(page.roff)); !s)
        return tl::unexpected(s.error());
  }
  if (!o.bash.empty())
    if (auto s = write_file_atomic(o.bash, as_bytes(bash_completion(view))); !s) return tl::unexpected(s.error());
  if (!o.zsh.empty())
    if (auto s = write_file_atomic(o.zsh, as_bytes(zsh_completion(view))); !s) return tl::unexpected(s.error());
  return 0;
}

void setup(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<GenerateOptions>();
  auto* app = parent.add_subcommand("__generate-docs", "Write the man pages and shell completions (a build step)");
  app->group(""); // hidden
  app->add_option("--man", o->man_dir, "Directory for sipl.1 and sipl-VERB.1")->type_name("DIR");
  app->add_option("--bash", o->bash, "The bash completion script to write")->type_name("FILE");
  app->add_option("--zsh", o->zsh, "The zsh completion (_sipl) to write")->type_name("FILE");
  app->add_option("--date", o->date, "The date the man pages carry (YYYY-MM-DD)");
  app->callback([app, o, &ctx] { run_verb(ctx, [&] { return generate(*app->get_parent(), *o); }); });
}

SIPL_REGISTER_VERB(99, setup);

} // namespace
} // namespace sipl::cli
