// sipl: s390x Secure IPL from any Linux host. Verbs live in one file each (verbs.h).
#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/doc.h"
#include "cli/json.h"
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
  if (ctx.json) print_json(error_document(r.error()));
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
  // Named here, so usage lines say "sipl", not the path the binary was started by.
  CLI::App app{"Set up, check and trust s390x Secure IPL (secure boot for KVM guests)", "sipl"};
  app.set_version_flag("--version", version_text, "print sipl's version and the library versions it runs with");
  app.require_subcommand(1);
  document(&app, {
      .description =
          {"`sipl` sets up, checks and explains Secure IPL, the secure boot of KVM guests on IBM Z and LinuxONE, "
           "as QEMU's s390-ccw-virtio machine, its s390-ccw BIOS, zipl, the Linux kernel and libvirt implement it: "
           "byte for byte, on any Linux host, before the guest ever boots.",
           "Each verb is one step of that chain. `sipl certs` shows the certificate store QEMU builds from its "
           "boot-certs paths; `sipl keygen`, `sipl sign` and `sipl verify` make signing keys, append "
           "sign-file-compatible signatures and check them as DIAG 0x508 does; `sipl mkdisk` and `sipl inspect` "
           "write and read zipl boot disks; `sipl boot` predicts a guest's IPL from disk options, a QEMU command "
           "line or libvirt domain XML; `sipl domain` converts and validates libvirt domain XML; `sipl diag` runs "
           "the DIAGNOSE calls the BIOS issues and shows the blocks the guest reads back.",
           "Messages go to standard error as `sipl: error: ...`, `sipl: warning: ...` or `sipl: note: ...`; "
           "results go to standard output, as text or, with `--json`, as one JSON document."},
      .exit_status = {{0, "success: the store was built, the component verifies, the guest boots"},
                      {1, "a negative verdict: not verified, the guest halts, the domain is invalid, the DIAG "
                          "returned an error"},
                      {2, "usage error: an unknown option, a missing or conflicting argument"},
                      {3, "bad input: a file cannot be read or is malformed, or QEMU would refuse it"},
                      {4, "unsupported environment: e.g. a qemu-system-s390x that cannot be run"}},
      .json = {{"schema_version",
                "the layout version of the document, 2 for the layouts these pages describe; always the first "
                "key. Absent values are null; addresses and return codes are \"0x\" hex strings; the certificate "
                "store_index is 1-based everywhere (docs/JSON.md; a JSON Schema per verb is installed in "
                "share/sipl/schemas/json)"},
               {"error", "with --json, a failure is {\"schema_version\": 2, \"error\": {code, exit_code, message, "
                         "hint, location}} on standard output, besides the message on standard error"}},
      .examples = {{"sipl certs /etc/pki/s390/boot-certs", "Show the certificate store a guest would see"},
                   {"sipl boot --disk guest.qcow2 --boot-certs /etc/pki/s390/boot-certs --secure-boot on",
                    "Predict whether a guest boots in Secure mode"}},
      .see_also = {"qemu-system-s390x(1)", "virsh(1)", "openssl(1)"},
  });
  Context ctx;
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
    if (std::string_view(argv[i]) == "--json") ctx.json = true;
  auto& t = table();
  std::stable_sort(t.begin(), t.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : t) setup(app, ctx);
  // A first word that is neither an option nor a verb: CLI11 would say "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-' && app.get_subcommands([&](CLI::App* s) { return s->check_name(argv[1]); }).empty()) {
    std::string verbs;
    for (const CLI::App* s : app.get_subcommands([](CLI::App*) { return true; }))
      if (!s->get_group().empty()) verbs += (verbs.empty() ? "" : ", ") + s->get_name();
    fmt::print(stderr, "sipl: error: unknown verb '{}'\nsipl: note: the verbs are {}; see sipl --help\n", argv[1],
               verbs);
    if (ctx.json) print_json(error_document(sipl::Error(sipl::ErrorCode::kUsage, fmt::format("unknown verb '{}'", argv[1]))));
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One prefix for every message, option parsing included; the note names the verb's help.
    // Under --json the error is a document on stdout too.
    std::string verb;
    for (int i = 1; i < argc && verb.empty(); ++i)
      if (argv[i][0] != '-' && !app.get_subcommands([&](CLI::App* s) { return s->check_name(argv[i]); }).empty())
        verb = std::string(" ") + argv[i];
    fmt::print(stderr, "sipl: error: {}\nsipl: note: see sipl{} --help\n", e.what(), verb);
    if (ctx.json) print_json(error_document(sipl::Error(sipl::ErrorCode::kUsage, e.what())));
    return 2;
  }
  return ctx.exit_code;
}
