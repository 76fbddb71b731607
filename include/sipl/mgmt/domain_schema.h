// RelaxNG validation of a domain document with libxml2, as libvirt's virt-xml-validate does:
// sipl's own data/schemas/sipl-domain.rng, or libvirt's /usr/share/libvirt/schemas/domain.rng.
#pragma once

#include <string>
#include <vector>

#include "sipl/base/result.h"
#include "sipl/mgmt/domain_xml.h"

namespace sipl::mgmt {

// Returns the schema violations ("line N: message"; empty when the document is valid), or
// kIo/kBadInput when the schema itself cannot be read or compiled.
Result<std::vector<std::string>> schema_errors(const DomainXml& doc, const std::string& rng_path);

}  // namespace sipl::mgmt
