// From a parsed qemu-system-s390x command line to the machine options hv::Machine takes:
// boot-certs, secure-boot, the CPU model, RAM, loadparm and the boot devices (devices with a
// bootindex, their drives resolved to image files).
#pragma once

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/hv/machine.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

// Returns the options of `m`; devices sipl does not know as boot devices are reported in
// `notes`. kBadInput when a boot disk's drive cannot be resolved; kUnsupported for a direct
// kernel boot (-kernel/-initrd), which bypasses the BIOS and every secure IPL check.
Result<hv::MachineOptions> machine_options(const MachineConfig& m, Findings* notes);

}  // namespace sipl::mgmt
