// Internal: fills the Domain model from a parsed libxml2 tree.
#pragma once

#include <libxml/tree.h>

#include <string>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/mgmt/domain.h"
#include "sipl/mgmt/domain_xml.h"

namespace sipl::mgmt {

// Reads <domain> at `root` into `d`; what libvirt rejects at parse time becomes a finding.
// Returns an error only when a limit of `limits` is exceeded.
Status read_domain(const xmlNode* root, const std::string& source, const XmlLimits& limits,
                   Domain& d, Findings& findings);

// Returns the size in KiB of `value` in `unit` (libvirt's units; rounded up), or nullopt.
std::optional<uint64_t> scale_to_kib(const std::string& value, const std::string& unit);

// Returns the ccw address parsed from libvirt's attribute texts (0xfe, 0x0, 0x0000).
std::optional<CcwAddress> parse_ccw(const std::string& cssid, const std::string& ssid,
                                    const std::string& devno);

}  // namespace sipl::mgmt
