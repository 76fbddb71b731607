// sipl boot: predict a guest's secure IPL before it happens — QEMU's machine checks, the BIOS
// console, the IIRB and the verdict — from --disk options, a domain XML or a QEMU command line.
#include <cstdio>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/fw/iirb_layout.h"
#include "sipl/guest/ipl_report_json.h"
#include "sipl/predict/boot_prediction.h"

namespace sipl::cli {
namespace {

struct BootOptions {
  bool json = false;
  bool strict = false;
  std::string at;
  std::string cpu;
  std::string loadparm;
  std::string iirb_out;
  std::string disk;
  std::vector<std::string> boot_certs;
  std::string secure_boot;
  std::string domain;
  std::vector<std::string> argv;
};

std::string hex(uint64_t v) { return address(v); }

Json bits_json(const std::vector<fw::iirb::IndicatorBit>& bits, unsigned width) {
  auto a = Json::array();
  for (const auto& b : bits) a.push_back({{"bit", b.bit}, {"mask", hex_field(b.mask, width)}, {"meaning", b.meaning}});
  return a;
}

void print_json_outcome(const predict::BootPrediction& p, const Findings& warnings) {
  const hv::Machine& m = p.machine;
  const fw::IplOutcome& r = p.ipl;
  auto doc = json_document();
  doc["mode"] = hv::to_string(r.mode);
  doc["verdict"] = enum_name(fw::to_string(r.verdict));
  doc["halt_reason"] = nonempty_or_null(r.halt_reason);
  doc["halted_at"] = r.halted_at ? Json{{"index", r.halted_at->index},
                                        {"role", r.halted_at->role},
                                        {"address", hex(r.halted_at->address)}}
                                 : Json(nullptr);
  doc["iplb_header_flags"] = hex_field(m.iplb_header_flags(), 8);
  auto& order = doc["boot_order"] = Json::array();
  for (size_t i = 0; i < m.boot_order().size(); ++i) {
    const auto& d = m.boot_order()[i];
    order.push_back({{"device", hv::to_string(d.kind)},
                     {"image", nonempty_or_null(d.image)},
                     {"bootindex", d.bootindex},
                     {"loadparm", m.loadparm(i)}});
  }
  doc["booted_device"] = r.booted_device ? Json(*r.booted_device) : Json(nullptr);
  doc["console"] = r.console;
  auto& comps = doc["components"] = Json::array();
  for (const auto& c : r.components) {
    comps.push_back({{"type", c.psw_entry ? "psw" : "load"},
                     {"address", hex(c.address)},
                     {"length", c.length},
                     {"signed", c.is_signed()},
                     {"verified", c.verified()},
                     {"certificate_index", c.verified() ? Json(c.cert_index) : Json(nullptr)},
                     {"store_index", c.store_index ? Json(*c.store_index + 1) : Json(nullptr)},
                     {"cei", hex_field(c.cei, 32)},
                     {"cei_bits", bits_json(fw::iirb::cei_bits(c.cei), 32)}});
  }
  doc["iiei"] = {{"value", hex_field(r.iiei, 16)}, {"bits", bits_json(fw::iirb::iiei_bits(r.iiei), 16)}};
  auto& certs = doc["certificates"] = Json::array();
  for (const auto& c : r.certificates) {
    const auto& e = m.store().entries()[c.store_index];
    certs.push_back({{"store_index", c.store_index + 1}, {"address", hex(c.address)}, {"length", c.length},
                     {"path", e.path}, {"subject", e.cert.subject()}, {"key_id", to_hex(e.cert.key_id_sha256())}});
  }
  doc["iirb_hex"] = r.iirb.empty() ? Json(nullptr) : Json(to_hex(r.iirb));
  // null: the guest never runs (the BIOS halted or no device booted).
  doc["guest"] = p.guest ? guest::to_json(*p.guest) : Json(nullptr);
  auto& fs = doc["findings"] = Json::array();
  append_findings(fs, warnings);
  append_findings(fs, p.notes);
  append_findings(fs, r.notes);
  print_json(doc);
}

void print_text_outcome(const predict::BootPrediction& p) {
  const hv::Machine& m = p.machine;
  const fw::IplOutcome& r = p.ipl;
  std::string s;
  s += fmt::format("Mode: {} — {}\n", hv::to_string(r.mode), hv::describe(r.mode));
  s += "Boot order:\n";
  for (size_t i = 0; i < m.boot_order().size(); ++i) {
    const auto& d = m.boot_order()[i];
    s += fmt::format("  {}. {} {} (bootindex {})\n", i + 1, hv::to_string(d.kind), d.image, d.bootindex);
  }
  s += "\nConsole (the BIOS's dots per loaded extent omitted):\n";
  for (const auto& l : r.console) s += "  | " + l + "\n";
  if (!r.components.empty()) {
    s += "\nIPL report components:\n";
    s += "  address             length     signed  verified  cert  CEI\n";
    for (const auto& c : r.components) {
      s += fmt::format("  {} {:>10} {:<7} {:<9} {:<5} 0x{:08x}{}\n", hex(c.address), c.length,
                       c.psw_entry ? "(PSW)" : c.is_signed() ? "yes" : "no", c.verified() ? "yes" : "no",
                       c.verified() ? std::to_string(c.cert_index) : "-", c.cei, "");
      for (const auto& b : fw::iirb::cei_bits(c.cei)) s += fmt::format("      CEI bit {}: {}\n", b.bit, b.meaning);
    }
    s += fmt::format("IIEI: 0x{:04x}\n", r.iiei);
    for (const auto& b : fw::iirb::iiei_bits(r.iiei)) s += fmt::format("  IIEI bit {}: {}\n", b.bit, b.meaning);
  }
  if (!r.certificates.empty()) {
    s += "IPL report certificates:\n";
    for (size_t i = 0; i < r.certificates.size(); ++i) {
      const auto& c = r.certificates[i];
      const auto& e = m.store().entries()[c.store_index];
      s += fmt::format("  [{}] store #{} {} ({} bytes at {})\n", i, c.store_index + 1, e.cert.subject(), c.length,
                       hex(c.address));
    }
  }
  std::string where;
  if (r.halted_at)
    where = fmt::format(" at component {} ({}, {})", r.halted_at->index, r.halted_at->role, hex(r.halted_at->address));
  s += fmt::format("\nVerdict: {}{}{}\n", fw::to_string(r.verdict),
                   r.halt_reason.empty() ? "" : " (" + r.halt_reason + ")", where);
  if (p.guest) {
    // The sysfs files, exactly what Linux prints (the PSW pseudo-entry too), then what it could
    // not load: guest::to_text.
    s += "\nGuest OS view (Linux):\n";
    std::string view = guest::to_text(*p.guest);
    for (size_t at = 0; at < view.size();) {
      const size_t nl = view.find('\n', at);
      s += "  " + view.substr(at, nl - at + 1);
      at = nl == std::string::npos ? view.size() : nl + 1;
    }
  }
  std::fwrite(s.data(), 1, s.size(), stdout);
  for (const auto& f : p.notes) fmt::print(stderr, "sipl: note: {}\n", f.message);
  for (const auto& f : r.notes) fmt::print(stderr, "sipl: note: {}\n", f.message);
}

Result<int> run_boot(const BootOptions& o) {
  auto at = resolve_at(o.at);
  if (!at) return tl::unexpected(at.error());
  predict::BootRequest req;
  if (!o.disk.empty()) req.disk = predict::DiskForm{o.disk, o.boot_certs, o.secure_boot == "on"};
  else if (!o.boot_certs.empty() || !o.secure_boot.empty())
    return fail(ErrorCode::kUsage, "--boot-certs and --secure-boot go with --disk; the other forms carry their own");
  req.domain = o.domain;
  req.qemu_argv = o.argv;
  req.cpu = o.cpu;
  req.loadparm = o.loadparm;
  req.at = *at;
  Findings warnings;
  auto p = predict::predict_boot(req, &warnings);
  for (const auto& w : warnings) fmt::print(stderr, "sipl: warning: {}\n", w.message);
  if (!p) return tl::unexpected(p.error());
  const fw::IplOutcome& r = p->ipl;
  if (!o.iirb_out.empty()) {
    if (r.iirb.empty()) fmt::print(stderr, "sipl: note: no IIRB was written (Normal mode or no boot); {} not written\n", o.iirb_out);
    else if (auto w = write_output(o.iirb_out, r.iirb); !w) return tl::unexpected(w.error());
  }
  if (o.json) print_json_outcome(*p, warnings);
  else print_text_outcome(*p);
  switch (r.verdict) {
    case fw::Verdict::kBoots: return 0;
    case fw::Verdict::kBootsWithWarnings: return o.strict ? 1 : 0;
    default: return 1;
  }
}

void setup(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<BootOptions>();
  auto* sub = app.add_subcommand("boot", "Predict a guest's (secure) IPL: BIOS console, IPL report and verdict");
  sub->add_flag("--json", o->json, "Print one JSON document (schema_version 2)");
  sub->add_flag("--strict", o->strict, "Exit 1 when Audit mode printed warnings");
  sub->add_option("--at", o->at, "Host clock for certificate validity (a date, RFC 3339 or @unix; default now)")
      ->type_name("TIME");
  sub->add_option("--cpu", o->cpu,
                  "CPU model and features (-cpu): gen16a/gen16b/gen17a/gen17b, qemu and max have the secure IPL "
                  "facilities (sipl, sclaf, cstore), older and -base models not; e.g. max,sipl=off")
      ->type_name("MODEL");
  sub->add_option("--loadparm", o->loadparm, "Loadparm: the program table entry to boot (default 0)")
      ->type_name("LOADPARM");
  sub->add_option("--iirb-out", o->iirb_out, "Write the IIRB bytes the BIOS leaves after the IPLB to FILE")
      ->type_name("FILE");
  sub->add_option("--disk", o->disk, "Boot disk (raw or qcow2) as a virtio-blk-ccw device with bootindex=1")
      ->type_name("DISK");
  sub->add_option("--boot-certs", o->boot_certs, "boot-certs.N.path (file or directory; repeatable; with --disk)")
      ->type_name("PATH");
  sub->add_option("--secure-boot", o->secure_boot, "secure-boot=on|off (with --disk)")
      ->type_name("MODE")
      ->check(one_of({"on", "off"}));
  sub->add_option("--domain", o->domain, "libvirt domain XML")->type_name("XML");
  sub->add_option("QEMU-ARGV", o->argv, "after --: a qemu-system-s390x command line");
  document(sub, {
      .description =
          {"Predicts a guest's IPL before it happens, by running the conversation the real one is: QEMU's "
           "machine checks and certificate store, the s390-ccw BIOS's walk of the boot disk with its DIAG 0x320 "
           "and DIAG 0x508 calls in guest memory, and what Linux then reads from the IPL report. It prints the "
           "IPL mode, the boot order, the BIOS console lines, the IPL report's components and certificates with "
           "their indicator bits, the verdict, and the guest's view (/sys/firmware/ipl/secure and the .platform "
           "keyring).",
           "The machine comes from one of three forms: `--disk` with `--boot-certs` and `--secure-boot` (a "
           "virtio-blk-ccw disk with bootindex=1); `--domain`, a libvirt domain XML turned into the QEMU command "
           "line libvirt would run; or a qemu-system-s390x command line after `--`. `--cpu` and `--loadparm` "
           "override what the form says.",
           "The IPL mode follows QEMU: without certificates the guest boots in Normal mode (nothing is "
           "checked); certificates without secure-boot=on give Audit mode (every check runs, problems are "
           "warnings); certificates with secure-boot=on give Secure mode (any problem halts the boot); "
           "secure-boot=on without certificates halts with \"Need at least one certificate for secure boot!\"."},
      .exit_status = {{0, "the guest boots (in Audit mode possibly with warnings)"},
                      {1, "the BIOS halts or finds no bootable device, or Audit mode printed warnings and "
                          "--strict was given"},
                      {2, "usage error, e.g. not exactly one of the three forms"},
                      {3, "bad input: an unreadable disk, domain XML or certificate path"},
                      {4, "a configuration QEMU itself refuses (its message is printed)"}},
      .json = {{"mode", "normal, audit, secure or invalid"},
               {"verdict", "boots, boots_with_warnings, halts or no_bootable_device"},
               {"halt_reason", "the BIOS's message when it halts, or null"},
               {"halted_at", "the component the halt is about: index (0-based, as inspect numbers the component "
                             "table), role (stage 3, kernel, initrd, parmline, ..., or load PSW) and address; null "
                             "when the halt is about no one component"},
               {"iplb_header_flags", "the IPLB header flags QEMU sets for the mode, e.g. \"0x60\""},
               {"boot_order[]", "the boot devices in boot order: device, image, bootindex, loadparm"},
               {"booted_device", "the 0-based position in boot_order of the device that booted, or null"},
               {"console", "the BIOS console lines"},
               {"components[]", "the IPL report's components: type (load or psw), address, length, signed, "
                                "verified, certificate_index (0-based, into certificates, or null), store_index "
                                "(1-based, or null), cei and cei_bits"},
               {"iiei", "the IPL information error indicators: value and bits"},
               {"certificates[]", "the IPL report's certificates, in report order: store_index (1-based), address, "
                                  "length, path, subject, key_id"},
               {"iirb_hex", "the IPL information report block as hex, or null when none was written"},
               {"guest", "what Linux sees (secure, has_secure, iplb, report, platform_keyring with each key's "
                         "description as keyctl shows it, platform_keyring_loads, linux_console: the setup: and "
                         "integrity: lines Linux prints, components, findings: e.g. keys Linux could not load), "
                         "or null when nothing booted"},
               {"findings[]", "QEMU's warnings and sipl's notes: severity, id, message, location, params"}},
      .examples = {{"sipl boot --disk guest.img --boot-certs signer.pem --secure-boot on",
                    "Predict a Secure-mode boot of a disk with one trusted certificate"},
                   {"sipl boot --domain guest.xml --strict", "Predict the boot of a libvirt domain, failing "
                                                              "on Audit-mode warnings"},
                   {"sipl boot --json -- qemu-system-s390x \\\n"
                    "    -machine s390-ccw-virtio,boot-certs.0.path=/etc/pki/s390,secure-boot=on \\\n"
                    "    -cpu max -drive file=guest.qcow2,if=none,id=d0 \\\n"
                    "    -device virtio-blk-ccw,drive=d0,bootindex=1",
                    "Predict the boot of a QEMU command line, as JSON"}},
      .see_also = {"qemu-system-s390x(1)", "virsh(1)"},
  });
  sub->callback([o, &ctx] { run_verb(ctx, [&] { return run_boot(*o); }); });
}

SIPL_REGISTER_VERB(60, setup);

}  // namespace
}  // namespace sipl::cli
