#include "sipl/predict/boot_prediction.h"

#include "sipl/hv/sparse_guest_memory.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/mgmt/qemu_argv.h"
#include "sipl/mgmt/qemu_argv_machine.h"

namespace sipl::predict {
namespace {

// `report_ignored` is off for the argv sipl builds itself from domain XML: libvirt's monitor,
// chardev, sandbox... options say nothing about the boot, and listing them only adds noise.
Result<hv::MachineOptions> options_from_argv(const std::vector<std::string>& argv, Findings* notes,
                                             bool report_ignored) {
  auto m = mgmt::parse_qemu_argv(argv);
  if (!m) return tl::unexpected(m.error());
  if (report_ignored)
    for (const auto& i : m->ignored) notes->push_back({Severity::kInfo, "boot.argv_ignored", "ignored: " + i, {{"option", i}}});
  return mgmt::machine_options(*m, notes);
}

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
    auto cl = mgmt::build_qemu_command_line(x->domain(), {});
    if (!cl) return tl::unexpected(cl.error());
    std::vector<std::string> argv{cl->emulator};
    argv.insert(argv.end(), cl->args.begin(), cl->args.end());
    auto o = options_from_argv(argv, notes, false);
    if (!o) return o;
    m = std::move(*o);
  } else {
    auto o = options_from_argv(r.qemu_argv, notes, true);
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
  if (opts->ram_bytes < kMinRamBytes)
    return fail(ErrorCode::kBadInput, "guest RAM below 16 MiB: the s390-ccw BIOS does not fit");
  auto machine = hv::Machine::create(*opts, warnings);
  if (!machine) return tl::unexpected(machine.error());
  hv::SparseGuestMemory memory(opts->ram_bytes);
  auto ipl = fw::run_ipl(*machine, memory, {request.at});
  if (!ipl) return tl::unexpected(ipl.error());
  std::optional<guest::GuestView> view;
  if (ipl->booted_device) {
    auto v = guest::read_ipl_report_from_lowcore(memory, machine->facilities().sipl);
    if (v) view = std::move(*v);
    else notes.push_back({Severity::kWarning, "boot.guest_view", "guest view: " + v.error().message, {}});
  }
  return BootPrediction{std::move(*machine), std::move(*ipl), std::move(view), std::move(notes)};
}

}  // namespace sipl::predict
