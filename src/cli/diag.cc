// `sipl diag 320`: builds the store from the boot-certs paths, sets up guest memory the way the
// s390-ccw BIOS does before it issues DIAG 0x320, runs the DIAG and hands back the block the
// guest reads, with the return code.
#include "cli/diag.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/diag320_json.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/hv/diag_call.h"

namespace sipl::cli {

CLI::App* diag_command(CLI::App& root) {
  auto found = root.get_subcommands([](CLI::App* a) { return a->get_name() == "diag"; });
  if (!found.empty()) return found.front();
  CLI::App* diag = root.add_subcommand(
      "diag", "Run a DIAGNOSE the hypervisor offers the guest (320: certificate store)");
  diag->require_subcommand(1);
  document(diag, {
      .description =
          {"Runs one DIAGNOSE instruction of the hypervisor the way QEMU answers it for a guest, against the "
           "certificate store built from the boot-certs paths (as `sipl certs` shows it): the guest memory is set "
           "up as the s390-ccw BIOS sets it up before the call, and the block the guest reads back afterwards "
           "is shown with the return code. DIAG 0x320 is the certificate store facility, DIAG 0x508 the "
           "signature verification the BIOS asks for each signed component."},
      .examples = {{"sipl diag 320 --subcode 2 --hex /etc/pki/s390/boot-certs",
                    "Dump the certificate block a guest reads with DIAG 0x320 subcode 2"}},
      .see_also = {"qemu-system-s390x(1)"},
  });
  return diag;
}

namespace {


struct Diag320Options {
  uint64_t subcode = 0;
  std::optional<uint16_t> first;
  std::optional<uint16_t> last;
  std::optional<uint32_t> in_len;
  std::string at;
  std::string output;
  bool hex = false;
  bool json = false;
  bool dry_run = false;
  std::vector<std::string> paths;
};

std::string rc_line(const hv::Diag320Result& r) {
  if (r.exception) return fmt::format("program exception: {}", hv::to_string(*r.exception));
  return fmt::format("rc 0x{:04x}", r.rc);
}

Result<int> run_diag320(const Diag320Options& o) {
  // The raw block would scramble a terminal; say what to use before anything runs.
  if (!o.json && !o.hex && o.output.empty() && ::isatty(STDOUT_FILENO))
    return fail(ErrorCode::kUsage,
                "standard output is a terminal and the DIAG 0x320 block is binary: give --hex or --json to read "
                "it, -o FILE to keep it, or redirect standard output");
  auto loaded = load_store(o.at, o.paths);
  if (!loaded) return tl::unexpected(loaded.error());
  auto r = hv::call_diag320(loaded->store, {o.subcode, o.first, o.last, o.in_len, loaded->at});
  if (!r) return tl::unexpected(r.error());
  for (const auto& f : r->result.findings) fmt::print(stderr, "sipl: warning: {}\n", f.message);

  const bool has_block = !r->block.empty();
  if (has_block && !o.output.empty() && !o.dry_run) {
    if (auto w = write_output(o.output, r->block); !w) return tl::unexpected(w.error());
  }
  const int exit_code = r->result.ok() ? 0 : 1;
  if (o.json) {
    auto doc = diag320_json(*r, loaded->at, loaded->store, loaded->warnings);
    if (!o.output.empty() && !o.dry_run) doc["output"] = o.output;
    print_json(doc);
    return exit_code;
  }
  if (o.hex) {
    fmt::print("{}\n", rc_line(r->result));
    std::string dump = hexdump(r->block);
    std::fwrite(dump.data(), 1, dump.size(), stdout);
    return exit_code;
  }
  if (o.output.empty()) {
    // Raw bytes own stdout; the return code goes to stderr.
    if (has_block)
      if (auto w = write_output("-", r->block); !w) return tl::unexpected(w.error());
    fmt::print(stderr, "{}\n", rc_line(r->result));
  } else {
    fmt::print("{}\n", rc_line(r->result));
  }
  return exit_code;
}

void setup_diag320(CLI::App& root, Context& ctx) {
  CLI::App* diag = diag_command(root);
  auto opts = std::make_shared<Diag320Options>();
  CLI::App* cmd = diag->add_subcommand(
      "320", "DIAG 0x320 (certificate store facility): the block the guest reads back");
  cmd->add_option("--subcode", opts->subcode,
                  "R3: 0 installed subcodes (ISM), 1 storage sizes (VCSSB), 2 certificates (VCB); "
                  "3-255 are unsupported, higher bits raise a specification exception")
      ->type_name("N")
      ->required();
  cmd->add_option("--first", opts->first, "subcode 2: first 1-based index (default 1)")->type_name("N");
  cmd->add_option("--last", opts->last, "subcode 2: last 1-based index (default: store size)")->type_name("N");
  cmd->add_option("--in-len", opts->in_len,
                  "subcode 2: VCB in_len (default: 4 KiB multiple holding the whole range)")
      ->type_name("BYTES");
  cmd->add_option("--at", opts->at, "host time of the DIAG for validity (a date, RFC 3339 or @unix; default now)")
      ->type_name("TIME");
  cmd->add_option("-o,--output", opts->output, "write the block to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  cmd->add_flag("--hex", opts->hex, "print the return code and a hexdump of the block");
  cmd->add_flag("--json", opts->json, "print a JSON document with the decoded block");
  cmd->add_flag("--dry-run", opts->dry_run, "run the DIAG but do not write --output");
  cmd->add_option("PATH", opts->paths, "boot-certs paths (.pem files or directories), in order");
  document(cmd, {
      .description =
          {"Issues DIAG 0x320 with the subcode in R3 on a parameter block at guest address 0x1000: subcode 0 "
           "stores the installed-subcodes mask (ISM), 1 the storage sizes (VCSSB), 2 the verification "
           "certificates from `--first` to `--last` (VCB, with `--in-len` bytes of room, by default enough for "
           "all of them)."},
      .notes = {"Without -o, --hex or --json the raw block goes to stdout and `rc 0x....` to stderr."},
      .exit_status = {{0, "rc 0x0001 (success)"},
                      {1, "any other rc, or a program exception"},
                      {2, "usage error"},
                      {3, "QEMU would refuse the boot-certs paths"}},
      .json = {{"subcode", "the subcode (R3), e.g. \"0x02\""},
               {"at", "the host time of the DIAG (RFC 3339)"},
               {"program_exception", "the program exception the DIAG raises (privileged_operation, specification, "
                                     "addressing), or null"},
               {"rc", "the return code, e.g. \"0x0001\" (null after an exception)"},
               {"block_size", "bytes of the block read back"},
               {"ism", "subcode 0: word0 and installed_subcodes, else null"},
               {"vcssb", "subcode 1: length, version, total_vc_ct, max_vc_ct, max_single_vcb_len, total_vcb_len "
                         "(null but length for an empty store), else null"},
               {"vcb", "subcode 2: in_len, first_vc_index, last_vc_index, out_len, stored_ct, remain_ct and "
                       "entries[], the decoded VCEs (store_index 1-based, as the VCE's cert_idx), else null"},
               {"output", "with -o: the file written (null with --dry-run or without -o)"},
               {"findings[]", "QEMU's warnings: severity, id, message, location, params"}},
      .examples = {{"sipl diag 320 --subcode 2 --first 1 --last 2 --at 2026-01-01T00:00:00Z \\\n"
                    "    -o vcb.bin /etc/pki/s390/boot-certs",
                    "Write the VCB holding the first two certificates to vcb.bin"},
                   {"sipl diag 320 --subcode 1 --json /etc/pki/s390/boot-certs",
                    "Show the storage sizes the guest is told, decoded"}},
  });
  cmd->callback([&ctx, opts] { run_verb(ctx, [&] { return run_diag320(*opts); }); });
}

SIPL_REGISTER_VERB(60, setup_diag320);

}  // namespace
}  // namespace sipl::cli
