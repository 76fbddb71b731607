// The zlib sipl inflates compressed qcow2 clusters with.
#pragma once

#include "sipl/base/library_version.h"

namespace sipl::image {

// Returns zlib's version: loaded (zlibVersion) and compiled against (ZLIB_VERSION).
LibraryVersion zlib_library_version();

}  // namespace sipl::image
