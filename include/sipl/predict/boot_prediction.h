// The prediction of a guest's (secure) IPL, the whole conversation in one call: the machine
// from one of three forms (a disk with boot-certs and secure-boot options, a libvirt domain
// XML turned into the QEMU command line libvirt would run, or a qemu-system-s390x command
// line), QEMU's machine checks and certificate store (hv), the s390-ccw BIOS's walk with its
// DIAG calls in guest memory (fw), and what Linux reads back from that memory (guest).
// This layer sits above mgmt, fw and guest because the pipeline spans them; what `sipl boot`
// shows, for any caller (a test, a libvirt hook, an audit over many guests).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/guest/ipl_report.h"
#include "sipl/hv/machine.h"
#include "sipl/mgmt/domain.h"

namespace sipl::predict {

// The --disk form: one virtio-blk-ccw disk with bootindex 1.
struct DiskForm {
  std::string disk;
  std::vector<std::string> boot_certs;  // boot-certs.N.path in order
  bool secure_boot = false;
};

struct BootRequest {
  // Exactly one of the three forms.
  std::optional<DiskForm> disk;
  std::string domain;                  // libvirt domain XML file
  std::vector<std::string> qemu_argv;  // qemu-system-s390x and its arguments
  // Overrides of what the form says (empty: keep).
  std::string cpu;
  std::string loadparm;
  UnixTime at = 0;  // host clock when the guest asks (certificate validity)
};

// The smallest guest RAM the s390-ccw BIOS fits in.
inline constexpr uint64_t kMinRamBytes = 16ull << 20;

struct [[nodiscard]] BootPrediction {
  hv::Machine machine;                  // mode, IPLB flags, store, boot order
  fw::IplOutcome ipl;                   // console, verdict, IPL report, notes of the BIOS run
  std::optional<guest::GuestView> guest;  // what Linux sees; nullopt when nothing booted
  // sipl's notes about the pipeline, before the BIOS's own (ipl.notes): command-line options
  // that say nothing about the boot, a guest view that could not be read.
  Findings notes;
};

// Returns the prediction for `request`. QEMU's warnings while building the store are appended
// to `warnings` as they are found (also when QEMU then refuses the machine). Errors: kUsage
// when not exactly one form is given or --boot-certs/--secure-boot come without --disk;
// kBadInput for unreadable input or RAM below kMinRamBytes; kUnsupported with QEMU's message
// for a machine QEMU refuses.
Result<BootPrediction> predict_boot(const BootRequest& request, Findings* warnings);

// The steps of predict_boot, for callers that predict many guests and share work between
// them (sipl audit: one store and one open disk for every guest that names them).

// Returns the machine options of the QEMU command line libvirt would run for `domain`.
Result<hv::MachineOptions> machine_options_for_domain(const mgmt::Domain& domain, Findings* notes);
// Returns the machine options of a qemu-system-s390x command line (argv[0] the binary); the
// options sipl does not model are noted in `notes` when `report_ignored`.
Result<hv::MachineOptions> machine_options_for_argv(const std::vector<std::string>& argv, Findings* notes,
                                                    bool report_ignored);
// Returns the prediction for the machine `options` describe, run with `ipl` (time, disk
// opener); QEMU's store warnings go to `warnings` as in predict_boot (none when
// options.store is given: they were reported when it was built).
Result<BootPrediction> predict_machine(const hv::MachineOptions& options, const fw::IplOptions& ipl,
                                       Findings* warnings);

}  // namespace sipl::predict
