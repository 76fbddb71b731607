// Fuzzes the hardened domain XML reader. Invariants for every accepted document:
// normalize → parse gives the same model (the seed's s390-ccw-bios firmware aside), and for
// documents libvirt would accept at parse time, the model written fresh → parse gives it back.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sipl/mgmt/domain_xml.h"

using sipl::mgmt::Domain;
using sipl::mgmt::DomainXml;

namespace {
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

Domain without_seed_firmware(Domain d) {
  if (d.os.firmware == "s390-ccw-bios") d.os.firmware.reset();
  return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto x = DomainXml::parse(text, "fuzz.xml");
  if (!x) return 0;
  auto again = DomainXml::parse(x->normalized(), "normalized.xml");
  check(static_cast<bool>(again), "normalized document parses");
  check(without_seed_firmware(again->domain()) == without_seed_firmware(x->domain()),
        "normalize keeps the model");
  if (x->parse_findings().empty()) {
    auto fresh = DomainXml::parse(sipl::mgmt::write_domain_xml(x->domain()), "written.xml");
    check(static_cast<bool>(fresh), "written document parses");
    check(without_seed_firmware(fresh->domain()) == without_seed_firmware(x->domain()),
          "writing keeps the model");
  }
  return 0;
}
