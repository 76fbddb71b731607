// The -machine side of QEMU's command line for s390x: the machine type names QEMU knows and
// the properties the s390-ccw-virtio machine accepts (hw/s390x/s390-virtio-ccw.c, the generic
// MachineClass properties of hw/core/machine.c, and boot-certs / secure-boot of the secure
// IPL series). QEMU refuses anything else when it creates the machine; so does this, with
// QEMU's message (kUnsupported).
#pragma once

#include <string>
#include <string_view>

#include "sipl/base/result.h"

namespace sipl::hv {

// The newest QEMU sipl models: the alias "s390-ccw-virtio" is its versioned machine.
inline constexpr const char* kNewestMachineVersion = "11.2";

// Returns QEMU's class name of machine type `type`: "s390-ccw-virtio" ->
// "s390-ccw-virtio-11.2-machine", "s390-ccw-virtio-9.1" -> "s390-ccw-virtio-9.1-machine".
// kUnsupported "unsupported machine type" (hint "Use -machine help to list supported
// machines") for other names and for versions newer than 11.2.
Result<std::string> machine_qom_type(std::string_view type);

// Returns an Error when the machine of class `qom_type` refuses property `name` (a keyval key,
// e.g. "usb", "smp.cpus", "boot-certs.0.path") with `value`: "Property '<qom_type>.<name>' not
// found" for a name it does not have, "Parameter '<name>' expects 'on' or 'off'" for a bad
// boolean.
Status check_machine_property(std::string_view qom_type, std::string_view name, std::string_view value);

}  // namespace sipl::hv
