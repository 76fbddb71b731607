#include "sipl/mgmt/domain.h"

#include <fmt/format.h>

namespace sipl::mgmt {

bool is_s390_ccw(const Domain& d) {
  return (d.os.arch == "s390x" || d.os.arch == "s390") && d.os.machine.rfind("s390-ccw", 0) == 0;
}

bool uses_seed_firmware(const Domain& d) { return d.os.firmware == "s390-ccw-bios"; }

std::string devno_string(const CcwAddress& a) {
  return fmt::format("{:x}.{:x}.{:04x}", a.cssid, a.ssid, a.devno);
}

}  // namespace sipl::mgmt
