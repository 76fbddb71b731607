// -cpu MODEL,sipl=off / sclaf=off / cstore=off (issue #12): the BIOS's facility checks of the
// merged main() (pc-bios/s390-ccw/main.c, secure-ipl.c secure_ipl_supported) print their
// refusal and panic before the first LOADPARM line, in Secure and in Audit mode; Normal mode
// does not look. Expected lines are the BIOS's strings.
#include <gtest/gtest.h>

#include "sipl/base/time.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/hv/sparse_guest_memory.h"
#include "support/test_data.h"

namespace sipl {
namespace {

fw::IplOutcome boot(const std::string& cpu, bool certs, bool secure) {
  hv::MachineOptions o;
  o.cpu_model = cpu;
  if (certs) o.boot_certs = {test::corpus_cert("rsa2048.pem")};
  o.secure_boot = secure;
  o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, test::corpus_disk("disk-h-sipl-secure"), 1, std::nullopt});
  auto m = hv::Machine::create(o, nullptr);
  if (!m) {
    ADD_FAILURE() << m.error().to_string();
    return {};
  }
  hv::SparseGuestMemory mem(o.ram_bytes);
  auto r = fw::run_ipl(*m, mem, {parse_time("2026-07-03T00:00:00Z").value()});
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? *r : fw::IplOutcome{};
}

TEST(FacilityChecks, EachDisabledFacilityGetsTheBiosRefusal) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"max,sipl=off", "Secure IPL Facility is not supported by the hypervisor!"},
      {"max,cstore=off", "Certificate Store Facility is not supported by the hypervisor!"},
      {"max,sclaf=off", "Secure IPL Code Loading Attributes Facility is not supported by the hypervisor!"},
      {"gen16a-base", "Secure IPL Facility is not supported by the hypervisor!"},
  };
  for (const auto& [cpu, line] : cases)
    for (bool secure : {true, false}) {
      auto r = boot(cpu, true, secure);
      EXPECT_EQ(r.console, (std::vector<std::string>{line, "ERROR: Unable to boot in secure/audit mode"})) << cpu;
      EXPECT_EQ(r.verdict, fw::Verdict::kHalts);
    }
}

TEST(FacilityChecks, NormalModeDoesNotCheckThem) {
  auto r = boot("max,sipl=off,sclaf=off,cstore=off", false, false);
  EXPECT_EQ(r.verdict, fw::Verdict::kBoots);
  ASSERT_GE(r.console.size(), 1u);
  EXPECT_EQ(r.console[0], "LOADPARM=[        ]");
}

}  // namespace
}  // namespace sipl
