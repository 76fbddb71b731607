// `sipl diag 508`: builds the store from the boot-certs paths, puts a component, its detached
// signature and a Signature-Verification Block (SVB) into guest memory as the s390-ccw BIOS
// does, runs DIAG 0x508 and shows the return code and the SVB the guest reads back.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/diag.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/hv/diag_call.h"

namespace sipl::cli {
namespace {

namespace L = hv::diag508;
using json = Json;

struct Diag508Options {
  std::string component, signature, at;
  std::vector<std::string> paths;
  uint64_t subcode = L::kSubcodeSignatureVerification;
  bool json = false;
};

Result<int> run_diag508(const Diag508Options& o) {
  auto loaded = load_store(o.at, o.paths);
  if (!loaded) return tl::unexpected(loaded.error());
  const hv::CertificateStore& store = loaded->store;
  auto out = hv::call_diag508(store, {o.subcode, o.component, o.signature, loaded->at});
  if (!out) return tl::unexpected(out.error());
  const hv::Diag508Result& r = out->result;
  for (const auto& f : r.findings) fmt::print(stderr, "sipl: {}: {}\n", to_string(f.severity), f.message);
  const int exit_code = r.exception ? 1 : (o.subcode == L::kSubcodeQuery || r.ok()) ? 0 : 1;

  if (o.json) {
    json j = json_document();
    j["subcode"] = hex_field(o.subcode, 16);
    j["at"] = format_time(loaded->at);
    j["program_exception"] = r.exception ? json(program_exception_name(*r.exception)) : json(nullptr);
    j["rc"] = r.exception ? json(nullptr) : json(hex_field(r.rc, 16));
    const auto idx = out->verifying_index();
    j["store_index"] = idx ? json(*idx + 1) : json(nullptr);
    j["cert_len"] = idx ? json(out->svb.cert_len) : json(nullptr);
    const auto& svb = out->svb;
    j["svb"] = {{"length", svb.length},
                {"cert_store_index", svb.cert_store_index},
                {"cert_len", svb.cert_len},
                {"comp_len", svb.comp_len},
                {"comp_addr", address(svb.comp_addr)},
                {"sig_len", svb.sig_len},
                {"sig_addr", address(svb.sig_addr)}};
    j["svb_hex"] = to_hex(out->svb_bytes);
    auto& cands = j["candidates"] = json::array();
    if (r.verdict)
      for (size_t i = 0; i < r.verdict->candidates.size(); ++i)
        cands.push_back({{"store_index", i + 1},
                         {"path", store.entries()[i].path},
                         {"status", candidate_status_name(r.verdict->candidates[i].status)},
                         {"message", r.verdict->candidates[i].finding.message}});
    auto& fs = j["findings"] = json::array();
    append_findings(fs, loaded->warnings);
    append_findings(fs, r.findings);
    if (r.verdict) append_findings(fs, r.verdict->findings);
    print_json(j);
    return exit_code;
  }
  if (r.exception) fmt::print("program exception: {}\n", hv::to_string(*r.exception));
  else fmt::print("rc 0x{:04x}\n", r.rc);
  std::string dump = hexdump(out->svb_bytes);
  std::fwrite(dump.data(), 1, dump.size(), stdout);
  if (r.verdict)
    for (size_t i = 0; i < r.verdict->candidates.size(); ++i)
      fmt::print("  [{}] {}: {}\n", i, store.entries()[i].path, r.verdict->candidates[i].finding.message);
  return exit_code;
}

void setup_diag508(CLI::App& root, Context& ctx) {
  CLI::App* diag = diag_command(root);
  auto o = std::make_shared<Diag508Options>();
  CLI::App* cmd = diag->add_subcommand(
      "508", "DIAG 0x508 (signature verification): return code and the SVB the guest reads back");
  cmd->add_option("--component", o->component, "The component as loaded (the signed bytes)")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--signature", o->signature, "Its detached DER PKCS#7 signature")->type_name("FILE")->required();
  cmd->add_option("--subcode", o->subcode, "Register R3: 0x8000 verify (default), 0 query")->type_name("N");
  cmd->add_option("--at", o->at, "Host clock for certificate validity (a date, RFC 3339 or @SECONDS; default: now)")
      ->type_name("TIME");
  cmd->add_flag("--json", o->json, "Print a JSON report");
  cmd->add_option("PATH", o->paths, "boot-certs paths in store order");
  document(cmd, {
      .description =
          {"Puts the component at guest address 0x10000, its signature after it and a Signature-Verification "
           "Block (SVB) at 0x1000, as the s390-ccw BIOS does, and issues DIAG 0x508: subcode 0x8000 verifies the "
           "signature against the store (as `sipl verify` explains in more words), subcode 0 queries the "
           "installed subcodes. It prints the return code, the SVB the guest reads back and each certificate's "
           "outcome."},
      .notes = {"cert_store_index in the SVB (byte 16) is 0-based; `sipl certs` and store_index number from 1."},
      .exit_status = {{0, "rc 0x0001, or the query"},
                      {1, "any other rc, or a program exception"},
                      {2, "usage error"},
                      {3, "bad input: an unreadable component, signature or store path"}},
      .json = {{"subcode", "the subcode (R3), e.g. \"0x8000\""},
               {"at", "the host time of the DIAG (RFC 3339)"},
               {"program_exception", "the program exception the DIAG raises, or null"},
               {"rc", "the return code, e.g. \"0x0001\" (null after an exception)"},
               {"store_index", "1-based store index of the verifying certificate (the SVB's cert_store_index + 1), "
                               "or null"},
               {"cert_len", "its length, or null"},
               {"svb", "the SVB read back, decoded: length, cert_store_index (0-based, as the block carries it), "
                       "cert_len, comp_len, comp_addr, sig_len, sig_addr"},
               {"svb_hex", "the same 64 bytes as hex"},
               {"candidates[]", "one per certificate tried: store_index (1-based), path, status, message"},
               {"findings[]", "severity, id, message, location and params of each finding"}},
      .examples = {{"sipl diag 508 --component vmlinuz --signature vmlinuz.p7s /etc/pki/s390/boot-certs",
                    "Verify a component and its detached signature as DIAG 0x508 does"}},
  });
  cmd->callback([&ctx, o] { run_verb(ctx, [o] { return run_diag508(*o); }); });
}

SIPL_REGISTER_VERB(61, setup_diag508);

}  // namespace
}  // namespace sipl::cli
