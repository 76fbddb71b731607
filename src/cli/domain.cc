// sipl domain validate|to-qemu|from-qemu|normalize|caps: the libvirt side (domain XML,
// validation with libvirt's messages, the QEMU command line, domain capabilities).
#include <fmt/format.h>

#include <cstdio>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/mgmt/domain_caps.h"
#include "sipl/mgmt/domain_file.h"
#include "sipl/mgmt/domain_xml.h"

namespace sipl::cli {
namespace {

using namespace sipl::mgmt;

struct DomainOptions {
  std::string xml;
  bool json = false;
  std::string qemu_version;
  std::string qemu_binary;
  std::string rng;
  std::string args_file;
  std::vector<std::string> argv;
  bool runnable = false;
  std::string libvirt_version;
};

std::string finding_line(const Finding& f) { return f.where.line ? std::to_string(*f.where.line) : std::string(); }

// "FILE:LINE: error: message" (compiler style), stdout for validate, stderr elsewhere.
void print_findings(std::FILE* to, const std::string& file, const Findings& fs) {
  for (const auto& f : fs) {
    std::string line = finding_line(f);
    fmt::print(to, "{}{}: {}: {}\n", file, line.empty() ? "" : ":" + line, to_string(f.severity),
               f.message);
  }
}

Result<int> validate(const DomainOptions& o) {
  auto ctx = qemu_target(o.qemu_version, o.qemu_binary);
  if (!ctx) return tl::unexpected(ctx.error());
  auto v = validate_domain_file(o.xml, *ctx, o.rng);
  if (!v) return tl::unexpected(v.error());
  if (o.json) {
    auto doc = json_document();
    doc["file"] = v->file;
    doc["valid"] = v->valid;
    doc["mode"] = hv::to_string(v->mode);
    doc["boot_certs_form"] = to_string(v->boot_certs_form);
    doc["boot_certs"] = v->boot_certs;
    append_findings(doc["findings"] = Json::array(), v->findings, v->file);
    print_json(doc);
  } else {
    print_findings(stdout, v->file, v->findings);
    fmt::print("{}: {} ({} mode)\n", v->file,
               v->valid ? "valid" : v->unsupported ? "not supported by this QEMU" : "invalid", hv::to_string(v->mode));
  }
  return v->valid ? 0 : v->unsupported ? 4 : 1;
}

Result<int> normalize(const DomainOptions& o) {
  auto x = DomainXml::load(o.xml);
  if (!x) return tl::unexpected(x.error());
  std::optional<LibvirtVersion> libvirt;
  if (!o.libvirt_version.empty()) {
    auto v = parse_libvirt_version(o.libvirt_version);
    if (!v) return tl::unexpected(v.error());
    libvirt = *v;
  }
  std::string out = x->normalized(libvirt);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

Result<int> to_qemu(const DomainOptions& o) {
  auto ctx = qemu_target(o.qemu_version, o.qemu_binary);
  if (!ctx) return tl::unexpected(ctx.error());
  auto r = domain_to_qemu(o.xml, *ctx, o.runnable);
  if (!r) return tl::unexpected(r.error());
  if (o.json) {
    auto doc = json_document();
    doc["valid"] = r->command_line.has_value();
    doc["emulator"] = r->command_line ? Json(r->command_line->emulator) : Json(nullptr);
    doc["env"] = r->command_line ? Json(r->command_line->env) : Json::array();
    doc["args"] = r->command_line ? Json(r->command_line->args) : Json::array();
    append_findings(doc["findings"] = Json::array(), r->findings, r->file);
    print_json(doc);
  }
  if (!r->command_line) {
    print_findings(stderr, r->file, r->findings);
    if (r->unsupported) {
      fmt::print(stderr, "sipl: error: {}: this QEMU cannot run the domain; no command line written\n", r->file);
      return 4;
    }
    fmt::print(stderr, "sipl: error: {}: invalid domain; no command line written\n", r->file);
    return 1;
  }
  const QemuCommandLine& cl = *r->command_line;
  if (!o.json) {
    std::string s = format_args_file(cl);
    std::fwrite(s.data(), 1, s.size(), stdout);
  }
  return 0;
}

Result<int> from_qemu(const DomainOptions& o) {
  auto r = domain_from_qemu(o.argv, o.args_file);
  if (!r) return tl::unexpected(r.error());
  if (o.json) {
    auto doc = json_document();
    doc["xml"] = r->xml;
    doc["ignored_options"] = r->ignored;
    print_json(doc);
  } else {
    std::fwrite(r->xml.data(), 1, r->xml.size(), stdout);
  }
  return 0;
}

Result<int> caps(const DomainOptions& o) {
  std::string bin = o.qemu_binary.empty() ? "qemu-system-s390x" : o.qemu_binary;
  auto c = probe_qemu(bin);
  if (!c) return tl::unexpected(c.error());
  if (o.json) {
    auto doc = json_document();
    doc["path"] = c->path;
    doc["version"] = c->version.to_string();
    doc["machine"] = c->machine;
    doc["boot_certs"] = c->boot_certs;
    doc["secure_boot"] = c->secure_boot;
    doc["z16_cpu"] = c->z16_cpu;
    doc["secure_ipl_supported"] = secure_ipl_supported(*c);
    print_json(doc);
  } else {
    std::string s = domain_caps_xml(*c);
    std::fwrite(s.data(), 1, s.size(), stdout);
  }
  return 0;
}

void setup(CLI::App& app, Context& ctx) {
  auto* dom = app.add_subcommand("domain", "libvirt domain XML: validate, QEMU command line, caps");
  dom->require_subcommand(1);
  document(dom, {
      .description =
          {"The libvirt side of secure IPL. A domain's `<os>` element carries the boot certificates "
           "(`<bootCerts>` in libvirt's final form, or the seed's `<secboot>` form that `normalize` rewrites) "
           "and `secure-boot`; libvirt validates them against what the QEMU binary supports and turns them "
           "into the `-machine s390-ccw-virtio,boot-certs.N.path=...,secure-boot=on` options of the QEMU "
           "command line. These subcommands do each of those steps the way libvirt does, with its messages, "
           "and the reverse: a domain XML from a QEMU command line."},
      .exit_status = {{0, "valid, or done"},
                      {1, "invalid domain"},
                      {2, "usage error"},
                      {3, "bad input"},
                      {4, "unsupported: the QEMU lacks boot certificates and secure-boot, or a QEMU binary cannot be probed"}},
      .examples = {{"sipl domain normalize seed.xml > domain.xml && \\\n"
                    "    sipl domain to-qemu --qemu-version 11.2.0 domain.xml",
                    "Rewrite a domain in libvirt's final form, then print the QEMU command line for it"}},
      .see_also = {"virsh(1)", "qemu-system-s390x(1)"},
  });
  auto o = std::make_shared<DomainOptions>();

  auto* v = dom->add_subcommand("validate", "check a domain XML with libvirt's rules for secure IPL");
  v->add_option("XML", o->xml, "domain XML file")->required();
  v->add_flag("--json", o->json, "print one JSON document");
  v->add_option("--qemu-version", o->qemu_version, "validate for this QEMU version (e.g. 7.2.0)")
      ->type_name("VERSION");
  v->add_option("--qemu", o->qemu_binary, "probe this qemu-system-s390x binary")->type_name("FILE");
  v->add_option("--rng", o->rng,
                "also validate against a RelaxNG schema (data/schemas/sipl-domain.rng, or "
                "libvirt's /usr/share/libvirt/schemas/domain.rng)")
      ->type_name("FILE");
  document(v, {
      .description =
          {"Checks the secure IPL parts of a domain XML as libvirt does when the domain is defined and started, "
           "for the QEMU version given with `--qemu-version` or probed from the binary given with `--qemu`: "
           "boot certificates need a QEMU and machine that support them, secure-boot=on needs certificates, and "
           "so on. Findings are printed compiler style (FILE:LINE: error: message) on standard output, then the "
           "verdict and the IPL mode the domain gives."},
      .exit_status = {{0, "valid"},
                      {1, "invalid"},
                      {2, "usage error"},
                      {3, "unreadable or malformed XML"},
                      {4, "unsupported environment: the QEMU (--qemu-version, or the --qemu binary) lacks boot "
                          "certificates and secure-boot while the domain is otherwise valid, or the --qemu binary "
                          "could not be probed"}},
      .json = {{"file", "the domain XML file"},
               {"valid", "true or false"},
               {"mode", "normal, audit, secure or invalid: the IPL mode the domain gives"},
               {"boot_certs_form", "none, libvirt, seed, qemu_commandline or mixed: how the certificates are written"},
               {"boot_certs", "the certificate paths, in order"},
               {"findings[]", "severity, id, message, location (path and line in the XML) and params of each "
                              "finding"}},
      .examples = {{"sipl domain validate examples/domains/libvirt-form.xml", "Validate a secure-IPL domain"}},
  });
  v->callback([o, &ctx] { run_verb(ctx, [o] { return validate(*o); }); });

  auto* t = dom->add_subcommand("to-qemu", "print the QEMU command line libvirt would run");
  t->add_option("XML", o->xml, "domain XML file")->required();
  t->add_flag("--json", o->json, "print the arguments as a JSON array");
  t->add_flag("--runnable", o->runnable,
              "print a command line to run by hand: no libvirt descriptors, secrets or paused start; the "
              "console on the terminal");
  t->add_option("--qemu-version", o->qemu_version, "build for this QEMU version (default 11.2.0)")
      ->type_name("VERSION");
  t->add_option("--qemu", o->qemu_binary, "probe this qemu-system-s390x binary for its version")->type_name("FILE");
  document(t, {
      .description = {"Validates the domain as `validate` does and prints the QEMU command line libvirt would "
                      "run for it, one argument per line in libvirt's .args form (with libvirt's test-suite "
                      "values: USER=test, the monitor on fd 1729, -S, a master-key secret).",
                      "With `--runnable` it prints a command line that QEMU starts and boots as is: without the "
                      "environment, -S, the secret, the monitor descriptor, -no-shutdown and -sandbox, and with "
                      "the guest console on the terminal, so the BIOS and kernel messages show."},
      .exit_status = {{0, "printed"},
                      {1, "the domain is invalid (the findings are printed on standard error)"},
                      {2, "usage error"},
                      {3, "unreadable or malformed XML"},
                      {4, "unsupported environment: the QEMU lacks boot certificates and secure-boot, or the --qemu "
                          "binary could not be probed"}},
      .json = {{"valid", "true, or false when the domain is invalid (then emulator is null and args empty)"},
               {"emulator", "the QEMU binary, or null"},
               {"env", "the environment variables set"},
               {"args", "the arguments"},
               {"findings[]", "the validation's findings: severity, id, message, location, params"}},
      .examples = {{"sipl domain to-qemu --qemu-version 11.2.0 examples/domains/libvirt-form.xml",
                    "Print the QEMU command line for a domain"},
                   {"sh -c \"$(sipl domain to-qemu --runnable guest.xml)\"",
                    "Boot the domain's guest by hand and watch its console"}},
  });
  t->callback([o, &ctx] { run_verb(ctx, [o] { return to_qemu(*o); }); });

  auto* f = dom->add_subcommand("from-qemu", "print the domain XML for a QEMU command line");
  f->add_flag("--json", o->json, "print one JSON document");
  f->add_option("QEMU-ARGV", o->argv, "the QEMU command line, after --");
  f->add_option("--args-file", o->args_file, "read the command line from a libvirt .args file")->type_name("FILE");
  document(f, {
      .description = {"Reads a qemu-system-s390x command line (after `--`, or from a libvirt .args file) and "
                      "prints the domain XML that describes its machine, boot certificates, secure-boot "
                      "setting and boot disks. Options that say nothing about the boot are ignored."},
      .exit_status = {{0, "printed"}, {2, "usage error"}, {3, "a command line sipl cannot read"}},
      .json = {{"xml", "the domain XML as one string"}, {"ignored_options", "the options that were ignored"}},
      .examples = {{"sipl domain from-qemu -- qemu-system-s390x \\\n"
                    "    -machine s390-ccw-virtio,boot-certs.0.path=/etc/pki/s390,secure-boot=on \\\n"
                    "    -drive file=disk.qcow2",
                    "Print the domain XML for a QEMU command line"}},
  });
  f->callback([o, &ctx] { run_verb(ctx, [o] { return from_qemu(*o); }); });

  auto* n = dom->add_subcommand("normalize", "rewrite a domain's boot certificates in the form a libvirt reads");
  n->add_option("--libvirt-version", o->libvirt_version,
                "the libvirt that will read it: before 12.9, the <qemu:commandline> -machine form")
      ->type_name("VERSION");
  n->add_option("XML", o->xml, "domain XML file")->required();
  document(n, {
      .description = {"Prints the domain with its boot certificates and secure-boot in the form the target libvirt "
                      "reads. libvirt 12.9 and later (the default): one <boot-certs> with <path> children under "
                      "<os>, and the secure-boot feature of <firmware>; the seed's <boot-certs path='...'/> and "
                      "options passed through <qemu:commandline> are rewritten so.",
                      "Older libvirt (--libvirt-version 9.0, Debian 12's) does not know <boot-certs> and drops it "
                      "silently when the domain is defined. QEMU merges repeated -machine options, so such a "
                      "libvirt can pass them through its QEMU namespace: the certificates and secure-boot become one "
                      "-machine boot-certs.0.path=...,secure-boot=on in <qemu:commandline> (two <qemu:arg> "
                      "elements), which that libvirt keeps and appends to the QEMU command line. Every verb that reads a domain understands "
                      "both forms and says which one it found."},
      .notes = {"Unknown elements, comments and whitespace are written back untouched."},
      .exit_status = {{0, "printed"}, {2, "usage error"}, {3, "unreadable or malformed XML"}},
      .examples = {{"sipl domain normalize examples/domains/seed-form.xml",
                    "Print a seed-form domain in libvirt's final form"},
                   {"sipl domain normalize --libvirt-version 9.0 guest.xml > old.xml",
                    "Write the form Debian 12's libvirt keeps (virt-xml-validate old.xml accepts it)"}},
  });
  n->callback([o, &ctx] { run_verb(ctx, [o] { return normalize(*o); }); });

  auto* c = dom->add_subcommand("caps", "probe a qemu-system-s390x: domain capabilities XML");
  c->add_option("--qemu", o->qemu_binary, "the binary (default: qemu-system-s390x on PATH)")->type_name("FILE");
  c->add_flag("--json", o->json, "print one JSON document");
  document(c, {
      .description = {"Runs the QEMU binary to learn its version, machine types and CPU models, and prints the "
                      "secure IPL part of the domain capabilities libvirt would report for it."},
      .exit_status = {{0, "probed"}, {2, "usage error"}, {4, "the binary could not be run"}},
      .json = {{"path", "the binary probed"},
               {"version", "its version"},
               {"machine", "the machine type the s390-ccw-virtio alias resolves to"},
               {"boot_certs", "true when the machine takes boot-certs"},
               {"secure_boot", "true when the machine takes secure-boot"},
               {"z16_cpu", "true when a z16 CPU model is available"},
               {"secure_ipl_supported", "true when all three hold"}},
      .examples = {{"sipl domain caps --qemu /usr/bin/qemu-system-s390x", "Show what a QEMU binary supports"}},
      .environment = {{"PATH", "searched for the --qemu binary when its name has no slash, and for "
                                   "qemu-system-s390x when `sipl domain caps` has no --qemu"}},
  });
  c->callback([o, &ctx] { run_verb(ctx, [o] { return caps(*o); }); });
}

SIPL_REGISTER_VERB(60, setup);

}  // namespace
}  // namespace sipl::cli
