// sipl: s390x Secure IPL from any Linux host. Verbs live in one file each (verbs.h).
#include <algorithm>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "cli/verbs.h"
#include "sipl/crypto/version.h"
#include "sipl/image/version.h"
#include "sipl/mgmt/version.h"

namespace sipl::cli {
namespace {
std::vector<std::pair<int, VerbSetup>>& table() {
  static std::vector<std::pair<int, VerbSetup>> t;
  return t;
}
}  // namespace

bool register_verb(int order, VerbSetup setup) {
  table().emplace_back(order, setup);
  return true;
}

void run_verb(Context& ctx, const std::function<Result<int>()>& body) {
  auto r = body();
  if (r) {
    ctx.exit_code = *r;
    return;
  }
  fmt::print(stderr, "sipl: error: {}\n", r.error().to_string());
  if (!r.error().hint.empty()) fmt::print(stderr, "sipl: note: {}\n", r.error().hint);
  ctx.exit_code = exit_code_for(r.error().code);
}

// Returns what --version prints: sipl's version, then each library it runs with (the loaded
// version, and the one sipl was built against where they differ), for bug reports.
std::string version_text() {
  std::string s = std::string("sipl ") + SIPL_VERSION;
  for (const auto& v : {crypto::openssl_library_version(), mgmt::libxml2_library_version(), image::zlib_library_version()}) {
    s += fmt::format("\n{} {}", v.name, v.runtime);
    if (v.built_with != v.runtime) s += fmt::format(" (built with {})", v.built_with);
  }
  return s;
}

}  // namespace sipl::cli

int main(int argc, char** argv) {
  using namespace sipl::cli;
  CLI::App app{"sipl: set up, check and trust s390x Secure IPL (secure boot for KVM guests)"};
  app.set_version_flag("--version", version_text, "print sipl's version and the library versions it runs with");
  app.require_subcommand(1);
  app.footer("Exit status: 0 success/boots, 1 negative verdict, 2 usage, 3 bad input, 4 unsupported.\n"
             "Example:\n  sipl certs /etc/pki/s390/boot-certs");
  Context ctx;
  auto& t = table();
  std::stable_sort(t.begin(), t.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : t) setup(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return ctx.exit_code;
}
