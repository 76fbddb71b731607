#include "sipl/mgmt/domain_file.h"

#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/mgmt/domain_caps.h"
#include "sipl/mgmt/domain_schema.h"
#include "sipl/mgmt/domain_xml.h"

namespace sipl::mgmt {

Result<ValidationContext> qemu_target(const std::string& version, const std::string& binary) {
  ValidationContext ctx;
  if (!version.empty() && !binary.empty()) return fail(ErrorCode::kUsage, "give either --qemu-version or --qemu, not both");
  if (!version.empty()) {
    auto v = parse_qemu_version(version);
    if (!v) return tl::unexpected(v.error());
    ctx.qemu = *v;
  }
  if (!binary.empty()) {
    auto caps = probe_qemu(binary);
    if (!caps) return tl::unexpected(caps.error());
    ctx.qemu = caps->version;
    ctx.probe_boot_certs = caps->boot_certs && caps->secure_boot;
  }
  return ctx;
}

const char* to_string(BootCertsForm f) {
  switch (f) {
    case BootCertsForm::kNone: return "none";
    case BootCertsForm::kLibvirt: return "libvirt";
    case BootCertsForm::kSeed: return "seed";
    case BootCertsForm::kMixed: return "mixed";
    case BootCertsForm::kQemuCommandline: return "qemu_commandline";
  }
  return "none";
}

Result<DomainValidation> validate_domain_file(const std::string& path, const ValidationContext& target,
                                              const std::string& rng) {
  auto x = DomainXml::load(path);
  if (!x) return tl::unexpected(x.error());
  DomainValidation v;
  v.file = x->source_name();
  v.findings = validate_domain(*x, target);
  if (!rng.empty()) {
    auto errs = schema_errors(*x, rng);
    if (!errs) return tl::unexpected(errs.error());
    for (const auto& e : *errs)
      v.findings.push_back(Finding{Severity::kError, ids::kSchemaInvalid, fmt::format("RelaxNG validity error ({}): {}", rng, e), {}});
  }
  const Domain& d = x->domain();
  v.valid = !has_errors(v.findings);
  v.unsupported = only_environment_errors(v.findings);
  v.mode = hv::ipl_mode(d.os.secure_boot == Tristate::kYes, d.os.boot_certs.size());
  v.boot_certs_form = d.os.boot_certs_form;
  v.boot_certs = d.os.boot_certs;
  return v;
}

Result<DomainCommandLine> domain_to_qemu(const std::string& path, const ValidationContext& target,
                                         bool runnable) {
  auto x = DomainXml::load(path);
  if (!x) return tl::unexpected(x.error());
  DomainCommandLine out;
  out.file = x->source_name();
  out.findings = validate_domain(*x, target);
  if (has_errors(out.findings)) {
    out.unsupported = only_environment_errors(out.findings);
    return out;
  }
  ArgvOptions ao;
  ao.qemu = target.qemu;
  ao.runnable = runnable;
  auto cl = build_qemu_command_line(x->domain(), ao);
  if (!cl) return tl::unexpected(cl.error());
  out.command_line = std::move(*cl);
  return out;
}

Result<DomainFromQemu> domain_from_qemu(const std::vector<std::string>& argv_in, const std::string& args_file) {
  std::vector<std::string> argv = argv_in;
  if (!args_file.empty()) {
    if (!argv.empty()) return fail(ErrorCode::kUsage, "give either --args-file or -- ARGV, not both");
    auto words = read_args_file(args_file);
    if (!words) return tl::unexpected(words.error());
    argv = std::move(*words);
  }
  if (argv.empty()) return fail(ErrorCode::kUsage, "give the QEMU command line after -- or --args-file");
  auto m = parse_qemu_argv(argv);
  if (!m) return tl::unexpected(m.error());
  auto d = domain_from_machine(*m);
  if (!d) return tl::unexpected(d.error());
  DomainFromQemu out;
  out.xml = write_domain_xml(*d);
  out.domain = std::move(*d);
  out.ignored = m->ignored;
  return out;
}

}  // namespace sipl::mgmt
