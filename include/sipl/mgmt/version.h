// The libxml2 sipl reads and validates domain XML with.
#pragma once

#include "sipl/base/library_version.h"

namespace sipl::mgmt {

// Returns libxml2's version: loaded (xmlParserVersion) and compiled against (LIBXML_DOTTED_VERSION).
LibraryVersion libxml2_library_version();

}  // namespace sipl::mgmt
