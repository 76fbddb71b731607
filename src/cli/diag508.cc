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
#include "sipl/base/bytes.h"
#include "sipl/base/file.h"
#include "sipl/hv/diag508.h"
#include "sipl/hv/diag508_layout.h"

namespace sipl::cli {
namespace {

namespace L = hv::diag508;
using json = nlohmann::ordered_json;

constexpr uint64_t kSvbAddress = 0x1000;
constexpr uint64_t kComponentAddress = 0x10000;

struct Diag508Options {
  std::string component, signature, at;
  std::vector<std::string> paths;
  uint64_t subcode = L::kSubcodeSignatureVerification;
  bool json = false;
};

Result<int> run_diag508(const Diag508Options& o) {
  auto loaded = load_store(o.at, o.paths);
  if (!loaded) return tl::unexpected(loaded.error());
  const UnixTime at = loaded->at;
  const hv::CertificateStore& store = loaded->store;

  auto comp = MappedFile::open(o.component);
  if (!comp) return tl::unexpected(comp.error());
  auto sig = read_file(o.signature, 1 << 20);
  if (!sig) return tl::unexpected(sig.error());
  const uint64_t comp_len = comp->bytes().size(), sig_len = sig->size();
  // Over-long inputs are not loaded: QEMU's length checks answer before reading them.
  const bool load_comp = comp_len <= L::kMaxComponentLength;
  const bool load_sig = sig_len <= L::kMaxSignatureLength;
  const uint64_t sig_addr = round_up(kComponentAddress + (load_comp ? comp_len : 0), 4096);
  hv::FlatGuestMemory mem(sig_addr + (load_sig ? round_up(sig_len, 4096) : 0) + 4096);
  if (load_comp) mem.write(kComponentAddress, comp->bytes());
  if (load_sig) mem.write(sig_addr, *sig);
  Bytes svb(L::svb::kSize);
  store_u32_be(svb, L::svb::kLength, L::svb::kSize);
  store_u64_be(svb, L::svb::kCompLen, comp_len);
  store_u64_be(svb, L::svb::kCompAddr, kComponentAddress);
  store_u64_be(svb, L::svb::kSigLen, sig_len);
  store_u64_be(svb, L::svb::kSigAddr, sig_addr);
  mem.write(kSvbAddress, svb);

  hv::Diag508Request req;
  req.r1 = 0;  // the BIOS uses GR0/GR1
  req.address = kSvbAddress;
  req.subcode = o.subcode;
  req.at = at;
  const hv::Diag508Result r = hv::execute_diag508(store, mem, req);
  for (const auto& f : r.findings) fmt::print(stderr, "sipl: warning: {}\n", f.message);
  mem.read(kSvbAddress, svb);
  const int exit_code = r.exception ? 1 : (o.subcode == L::kSubcodeQuery || r.ok()) ? 0 : 1;

  if (o.json) {
    json j = json_document();
    j["subcode"] = fmt::format("0x{:04x}", o.subcode);
    j["at"] = format_time(at);
    j["program_exception"] = r.exception ? json(hv::to_string(*r.exception)) : json(nullptr);
    j["rc"] = r.exception ? json(nullptr) : json(fmt::format("0x{:04x}", r.rc));
    const bool ok = r.ok() && o.subcode == L::kSubcodeSignatureVerification;
    j["cert_store_index"] = ok ? json(load_u64_be(svb, L::svb::kCertStoreIndex) >> 56) : json(nullptr);
    j["cert_len"] = ok ? json(load_u64_be(svb, L::svb::kCertLen)) : json(nullptr);
    j["svb"] = to_hex(svb);
    auto& cands = j["candidates"] = json::array();
    if (r.verdict)
      for (size_t i = 0; i < r.verdict->candidates.size(); ++i)
        cands.push_back({{"store_index", i},
                         {"path", store.entries()[i].path},
                         {"status", crypto::to_id(r.verdict->candidates[i].status)},
                         {"message", r.verdict->candidates[i].finding.message}});
    auto& fs = j["findings"] = json::array();
    for (const auto& f : r.findings) fs.push_back({{"id", f.id}, {"severity", to_string(f.severity)}, {"message", f.message}});
    if (r.verdict)
      for (const auto& f : r.verdict->findings)
        fs.push_back({{"id", f.id}, {"severity", to_string(f.severity)}, {"message", f.message}});
    print_json(j);
    return exit_code;
  }
  if (r.exception) fmt::print("program exception: {}\n", hv::to_string(*r.exception));
  else fmt::print("rc 0x{:04x}\n", r.rc);
  std::string dump = hexdump(svb);
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
      .notes = {"cert_store_index in the SVB (byte 16) is 0-based; `sipl certs` numbers from 1."},
      .exit_status = {{0, "rc 0x0001, or the query"},
                      {1, "any other rc, or a program exception"},
                      {2, "usage error"},
                      {3, "bad input: an unreadable component, signature or store path"}},
      .json = {{"subcode", "the subcode, e.g. \"0x8000\""},
               {"at", "the host time of the DIAG (RFC 3339)"},
               {"program_exception", "the program exception the DIAG raises, or null"},
               {"rc", "the return code, e.g. \"0x0001\" (null after an exception)"},
               {"cert_store_index", "0-based store index of the verifying certificate, or null"},
               {"cert_len", "its length, or null"},
               {"svb", "the SVB read back, as hex"},
               {"candidates[]", "one per certificate tried: store_index (0-based), path, status, message"},
               {"findings[]", "id, severity and message of each finding"}},
      .examples = {{"sipl diag 508 --component vmlinuz --signature vmlinuz.p7s /etc/pki/s390/boot-certs",
                    "Verify a component and its detached signature as DIAG 0x508 does"}},
  });
  cmd->callback([&ctx, o] { run_verb(ctx, [o] { return run_diag508(*o); }); });
}

SIPL_REGISTER_VERB(61, setup_diag508);

}  // namespace
}  // namespace sipl::cli
