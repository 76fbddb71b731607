#include "sipl/predict/boot_prediction.h"

#include "sipl/hv/sparse_guest_memory.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/mgmt/qemu_argv.h"
#include "sipl/mgmt/qemu_argv_machine.h"

namespace sipl::predict {

// `report_ignored` is off for the argv sipl builds itself from domain XML: libvirt's monitor,
// chardev, sandbox... options say nothing about the boot, and listing them only adds noise.
Result<hv::MachineOptions> machine_options_for_argv(const std::vector<std::string>& argv, Findings* notes,
                                                    bool report_ignored) {
  auto m = mgmt::parse_qemu_argv(argv);
  if (!m) return tl::unexpected(m.error());
  if (report_ignored)
    for (const auto& i : m->ignored) notes->push_back({Severity::kInfo, ids::kBootArgvIgnored, "ignored: " + i, {{"option", i}}});
  return mgmt::machine_options(*m, notes);
}

Result<hv::MachineOptions> machine_options_for_domain(const mgmt::Domain& domain, Findings* notes) {
  auto cl = mgmt::build_qemu_command_line(domain, {});
  if (!cl) return tl::unexpected(cl.error());
  std::vector<std::string> argv{cl->emulator};
  argv.insert(argv.end(), cl->args.begin(), cl->args.end());
  return machine_options_for_argv(argv, notes, false);
}

namespace {

Result<hv::MachineOptions> machine_options(const BootRequest& r, Findings* notes) {
  const int forms = r.disk.has_value() + !r.domain.empty() + !r.qemu_argv.empty();
  if (forms != 1) return fail(ErrorCode::kUsage, "give exactly one of --disk DISK, --domain XML or -- QEMU-ARGV...");
  hv::MachineOptions m;
  if (r.disk) {
    m.boot_certs = r.disk->boot_certs;
    m.secure_boot = r.disk->secure_boot;
    m.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, r.disk->disk, 1, std::nullopt});
  } else if (!r.domain.empty()) {
    auto x = mgmt::DomainXml::load(r.domain);
    if (!x) return tl::unexpected(x.error());
    if (x->domain().os.boot_certs_form == mgmt::BootCertsForm::kQemuCommandline)
      notes->push_back({Severity::kInfo, ids::kBootBootCertsForm,
                        "the domain passes its boot certificates as -machine options through <qemu:commandline> "
                        "(the form for libvirt before 12.9)",
                        {{"form", "qemu_commandline"}}});
    auto o = machine_options_for_domain(x->domain(), notes);
    if (!o) return o;
    m = std::move(*o);
  } else {
    auto o = machine_options_for_argv(r.qemu_argv, notes, true);
    if (!o) return o;
    m = std::move(*o);
  }
  if (!r.cpu.empty()) m.cpu_model = r.cpu;
  if (!r.loadparm.empty()) {
    m.loadparm = r.loadparm;
    for (auto& d : m.devices) d.loadparm.reset();
  }
  return m;
}

}  // namespace

Result<BootPrediction> predict_boot(const BootRequest& request, Findings* warnings) {
  Findings notes;
  auto opts = machine_options(request, &notes);
  if (!opts) return tl::unexpected(opts.error());
  fw::IplOptions ipl;
  ipl.at = request.at;
  auto p = predict_machine(*opts, ipl, warnings);
  if (p) p->notes.insert(p->notes.begin(), notes.begin(), notes.end());
  return p;
}

Result<BootPrediction> predict_machine(const hv::MachineOptions& options, const fw::IplOptions& ipl_options,
                                       Findings* warnings) {
  Findings notes;
  const hv::MachineOptions* opts = &options;
  if (opts->ram_bytes < kMinRamBytes)
    return fail(ErrorCode::kBadInput, "guest RAM below 16 MiB: the s390-ccw BIOS does not fit");
  auto machine = hv::Machine::create(*opts, warnings);
  if (!machine) return tl::unexpected(machine.error());
  hv::SparseGuestMemory memory(opts->ram_bytes);
  auto ipl = fw::run_ipl(*machine, memory, ipl_options);
  if (!ipl) return tl::unexpected(ipl.error());
  std::optional<guest::GuestView> view;
  if (ipl->booted_device) {
    auto v = guest::read_ipl_report_from_lowcore(memory, machine->facilities().sipl);
    if (v) view = std::move(*v);
    else notes.push_back({Severity::kWarning, ids::kBootGuestView, "guest view: " + v.error().message, {}});
  }
  return BootPrediction{std::move(*machine), std::move(*ipl), std::move(view), std::move(notes)};
}

}  // namespace sipl::predict
