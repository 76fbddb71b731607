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
#include "sipl/hv/diag320.h"
#include "sipl/hv/diag320_layout.h"

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

namespace L = hv::diag320;

// Where the BIOS-like set-up puts the parameter block: page aligned, not at 0.
constexpr uint64_t kBlockAddress = 0x1000;

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

// Returns the in_len the BIOS would choose: enough for every VCE of the requested range.
uint32_t default_in_len(const hv::CertificateStore& store, uint16_t first, uint16_t last) {
  uint64_t need = L::vcb::kHeaderSize;
  const size_t start = first == 0 ? 0 : first - 1u;
  if (last != 0 && start < store.count() && size_t{last} - 1 < store.count())
    for (size_t i = start; i < last; ++i) need += hv::full_vce_length(store.entries()[i]);
  return static_cast<uint32_t>(round_up(need, L::vcb::kInLenGranule));
}

// The guest's block before the DIAG, and how much guest memory backs it.
struct GuestSetup {
  Bytes block;          // initial contents at kBlockAddress
  uint64_t backing = 0; // bytes of guest memory from kBlockAddress on
};

GuestSetup set_up_block(const Diag320Options& o, const hv::CertificateStore& store,
                        uint16_t first, uint16_t last) {
  GuestSetup g;
  switch (o.subcode) {
    case L::kSubcodeQueryIsm:
      g.block.assign(L::kIsmSize, std::byte{0});
      break;
    case L::kSubcodeQueryVcsi:
      g.block.assign(L::vcssb::kSize, std::byte{0});
      store_u32_be(g.block, L::vcssb::kLength, L::vcssb::kValidLength);
      break;
    case L::kSubcodeStoreVc: {
      const uint32_t in_len = o.in_len.value_or(default_in_len(store, first, last));
      g.block.assign(L::vcb::kHeaderSize, std::byte{0});
      store_u32_be(g.block, L::vcb::kInLen, in_len);
      store_u16_be(g.block, L::vcb::kFirstVcIndex, first);
      store_u16_be(g.block, L::vcb::kLastVcIndex, last);
      // No store fills more than kMaxVcbOutLen, so a larger in_len needs no more memory.
      g.backing = round_up(std::max<uint64_t>(std::min<uint64_t>(in_len, L::kMaxVcbOutLen),
                                              L::vcb::kInLenGranule),
                           L::vcb::kInLenGranule);
      break;
    }
    default:
      break;  // unsupported subcodes read no block
  }
  g.backing = std::max<uint64_t>(g.backing, round_up(std::max<size_t>(g.block.size(), 1), 4096));
  return g;
}

// Returns the bytes the guest reads back: the whole ISM/VCSSB, or the VCB up to out_len.
Bytes read_back(const Diag320Options& o, const hv::FlatGuestMemory& mem, const GuestSetup& g,
                const hv::Diag320Result& r) {
  ByteSpan all = mem.bytes().subspan(kBlockAddress);
  if (o.subcode != L::kSubcodeStoreVc) return Bytes(all.begin(), all.begin() + g.block.size());
  uint64_t len = L::vcb::kHeaderSize;
  if (r.ok()) len = std::clamp<uint64_t>(load_u32_be(all, L::vcb::kOutLen), len, all.size());
  return Bytes(all.begin(), all.begin() + static_cast<ptrdiff_t>(len));
}

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
  const UnixTime at = loaded->at;
  const hv::CertificateStore& store = loaded->store;
  const Findings& warnings = loaded->warnings;

  const uint16_t first = o.first.value_or(store.empty() ? 0 : 1);
  const uint16_t last = o.last.value_or(static_cast<uint16_t>(store.count()));
  const GuestSetup g = set_up_block(o, store, first, last);
  hv::FlatGuestMemory mem(kBlockAddress + g.backing);
  if (!mem.write(kBlockAddress, g.block))
    return fail(ErrorCode::kInternal, "guest block does not fit the guest memory set up for it");

  hv::Diag320Request req;
  req.r1 = 0;  // the BIOS uses GR0/GR1
  req.address = kBlockAddress;
  req.subcode = o.subcode;
  req.at = at;
  const hv::Diag320Result r = hv::execute_diag320(store, mem, req);
  for (const auto& f : r.findings) fmt::print(stderr, "sipl: warning: {}\n", f.message);

  const bool has_block = !r.exception && !g.block.empty();
  const Bytes block = has_block ? read_back(o, mem, g, r) : Bytes{};
  if (has_block && !o.output.empty() && !o.dry_run) {
    if (auto w = write_output(o.output, block); !w) return tl::unexpected(w.error());
  }
  const int exit_code = r.ok() ? 0 : 1;
  if (o.json) {
    auto doc = diag320_json(o.subcode, at, r, block, store, warnings);
    if (!doc) return tl::unexpected(doc.error());
    if (!o.output.empty()) (*doc)["output"] = o.dry_run ? nullptr : nlohmann::ordered_json(o.output);
    print_json(*doc);
    return exit_code;
  }
  if (o.hex) {
    fmt::print("{}\n", rc_line(r));
    std::string dump = hexdump(block);
    std::fwrite(dump.data(), 1, dump.size(), stdout);
    return exit_code;
  }
  if (o.output.empty()) {
    // Raw bytes own stdout; the return code goes to stderr.
    if (has_block)
      if (auto w = write_output("-", block); !w) return tl::unexpected(w.error());
    fmt::print(stderr, "{}\n", rc_line(r));
  } else {
    fmt::print("{}\n", rc_line(r));
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
      .json = {{"subcode", "the subcode, as a number"},
               {"at", "the host time of the DIAG (RFC 3339)"},
               {"exception", "the program exception the DIAG raises, or null"},
               {"rc", "the return code as a number (null after an exception)"},
               {"rc_hex", "the same as \"0x0001\""},
               {"block_size", "bytes of the block read back"},
               {"ism", "subcode 0: word0 and installed_subcodes"},
               {"vcssb", "subcode 1: length, version, total_vc_ct, max_vc_ct, max_single_vcb_len, total_vcb_len"},
               {"vcb", "subcode 2: in_len, first_vc_index, last_vc_index, out_len, stored_ct, remain_ct and "
                       "entries[], the decoded VCEs (cert_idx 1-based)"},
               {"warnings", "strings: QEMU's warnings"},
               {"output", "with -o: the file written (null with --dry-run)"}},
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
