#include "sipl/mgmt/version.h"

#include "mgmt/libxml.h"

#include <string>

namespace sipl::mgmt {

LibraryVersion libxml2_library_version() {
  // xmlParserVersion is "21004" for 2.10.4: major * 10000 + minor * 100 + patch.
  std::string runtime = xmlParserVersion ? xmlParserVersion : "";
  if (runtime.size() >= 5 && runtime.find_first_not_of("0123456789") == std::string::npos) {
    const long v = std::stol(runtime);
    runtime = std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
  }
  return {"libxml2", runtime, LIBXML_DOTTED_VERSION};
}

}  // namespace sipl::mgmt
