#include "sipl/image/version.h"

#include <zlib.h>

namespace sipl::image {

LibraryVersion zlib_library_version() { return {"zlib", zlibVersion(), ZLIB_VERSION}; }

}  // namespace sipl::image
