// The `-cpu MODEL[,FEATURE=on|off,...]` option as QEMU's s390x target resolves it
// (target/s390x/cpu_models.c, gen-features.c; cpu.c parse_cpu_option): the model must be one
// QEMU registers, "host" exists only under KVM, and the three facilities Secure IPL needs —
// sipl (Secure-IPL facility), sclaf (Secure-IPL Code Loading Attributes facility) and cstore
// (Certificate Store facility, DIAG 0x320) — come from the model and from feature overrides.
// Refusals are Errors (kUnsupported) with QEMU's message verbatim.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sipl/base/result.h"

namespace sipl::hv {

// The CPU facilities secure IPL needs (SCLP bits QEMU reports for the CPU model).
struct CpuFacilities {
  bool sipl = false;    // Secure-IPL facility
  bool sclaf = false;   // Secure-IPL-code-loading-attributes facility
  bool cstore = false;  // Certificate Store facility (DIAG 0x320)
};

struct CpuModel {
  std::string name;          // the model as written ("max", "gen16a", "gen16a-base", ...)
  std::string qom_type;      // QEMU's class name: "<name>-s390x-cpu"
  CpuFacilities facilities;  // after the feature overrides
  // Features other than sipl/sclaf/cstore, passed through unchecked (sipl does not know
  // QEMU's whole feature list; see docs/DECISIONS-boot.md).
  std::vector<std::pair<std::string, std::string>> other_features;
};

// Returns the model of a `-cpu` option. `kvm`: the accelerator is KVM (only then does the
// "host" model exist). kUnsupported, with QEMU's message, for "unable to find CPU model 'X'",
// "Expected key=value format, found X." and "can't apply global X-s390x-cpu.sipl=V: Parameter
// 'sipl' expects 'on' or 'off'".
Result<CpuModel> parse_cpu_option(std::string_view option, bool kvm);

// Returns the facilities of a `-cpu` option (parse_cpu_option(...).facilities).
Result<CpuFacilities> cpu_facilities(std::string_view option, bool kvm = false);

// Returns the s390x CPU model names QEMU 11.2 registers (without "host"), in `-cpu help` order.
const std::vector<std::string>& cpu_model_names();

}  // namespace sipl::hv
