// Rewriting where a domain document carries its boot certificates and secure-boot: libvirt
// 12.9's <boot-certs> and <firmware><feature name='secure-boot'>, or -machine options passed
// through <qemu:commandline> for libvirt before 12.9 (which drops <boot-certs> silently).
#pragma once

#include <libxml/tree.h>

#include "sipl/mgmt/domain.h"

namespace sipl::mgmt::forms {

// Moves the boot certificates and secure-boot of `d` (read from `doc`) into one
// <qemu:commandline> -machine option, removing <boot-certs> and the secure-boot feature.
void to_qemu_commandline(xmlDoc* doc, const Domain& d);
// Moves boot certificates and secure-boot found in <qemu:commandline> -machine options into
// <os>'s <boot-certs> and <firmware><feature name='secure-boot'>; other options stay.
void from_qemu_commandline(xmlDoc* doc, const Domain& d);

}  // namespace sipl::mgmt::forms
