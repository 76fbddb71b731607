// Domain capabilities: what a qemu-system-s390x binary offers for secure IPL, found by
// running it (--version, -machine s390-ccw-virtio,help, -cpu help) and printed as libvirt's
// domain-capabilities XML with the 12.9 series' <os><bootCerts supported='yes|no'/>.
#pragma once

#include <string>

#include "sipl/base/result.h"
#include "sipl/mgmt/qemu_version.h"

namespace sipl::mgmt {

struct QemuCaps {
  std::string path;
  QemuVersion version;
  std::string machine;       // what the alias resolves to, e.g. s390-ccw-virtio-7.2
  bool boot_certs = false;   // machine property boot-certs
  bool secure_boot = false;  // machine property secure-boot
  bool z16_cpu = false;      // -cpu help lists z16/gen16a
};

// Returns the capabilities parsed from the three outputs of a QEMU binary.
Result<QemuCaps> caps_from_outputs(const std::string& path, const std::string& version_out,
                                   const std::string& machine_help, const std::string& cpu_help);

// Returns the capabilities of `binary` (a path or a name on PATH); kUnsupported when it
// cannot be run or answers unlike QEMU. Each run is bounded (10 s, 4 MiB of output).
Result<QemuCaps> probe_qemu(const std::string& binary);

// Returns true when the binary can run a secure IPL (boot-certs, secure-boot and a z16 CPU).
bool secure_ipl_supported(const QemuCaps& c);

// Returns libvirt-style <domainCapabilities> XML.
std::string domain_caps_xml(const QemuCaps& c);

}  // namespace sipl::mgmt
