// Validation of a domain for s390x Secure IPL with libvirt's rules and message texts where
// libvirt has them (the libvirt secure IPL series: virDomainDefOSValidate and the domain
// capabilities), QEMU's texts where QEMU or the s390-ccw BIOS refuses (hw/s390x/ipl.c,
// pc-bios/s390-ccw), and clear ones where neither has one.
#pragma once

#include <optional>

#include "sipl/base/finding.h"
#include "sipl/mgmt/domain.h"
#include "sipl/mgmt/domain_xml.h"
#include "sipl/mgmt/qemu_version.h"

namespace sipl::mgmt {

// What is known about the QEMU that will run the domain.
struct ValidationContext {
  std::optional<QemuVersion> qemu;          // unknown: assume one with the feature
  std::optional<bool> probe_boot_certs;     // from a probe of the binary (domain caps)
};

// Returns true when the domain asks for secure IPL: certificates or secure-boot=yes.
bool wants_secure_ipl(const Domain& d);

// Returns the findings of the model rules (no parse findings).
Findings validate_domain(const Domain& d, const ValidationContext& ctx);

// Returns the document's parse findings followed by the model rules' findings.
Findings validate_domain(const DomainXml& x, const ValidationContext& ctx);

// Returns true when any finding is an error.
bool has_errors(const Findings& f);

// Returns true when there are errors and all of them are about the QEMU that would run the
// domain (too old, no boot-certs/secure-boot properties), none about the domain itself: the
// environment is unsupported (exit 4), not the domain invalid (exit 1).
bool only_environment_errors(const Findings& f);

}  // namespace sipl::mgmt
