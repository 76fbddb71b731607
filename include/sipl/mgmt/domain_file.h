// A domain XML file end to end, as the `sipl domain` verbs take it: validated the way libvirt
// validates it for a known or probed QEMU (optionally also against a RelaxNG schema), turned
// into the QEMU command line libvirt would run, and a QEMU command line turned back into a
// domain. Each returns a result both a person's text and JSON are printed from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/hv/ipl_mode.h"
#include "sipl/mgmt/domain.h"
#include "sipl/mgmt/domain_validate.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

// Returns the QEMU to validate and build for: `version` (e.g. "11.2.0"), or what a probe of
// `binary` finds; neither: unknown (a QEMU with the feature). kUsage when both are given;
// probe and parse errors as probe_qemu and parse_qemu_version.
Result<ValidationContext> qemu_target(const std::string& version, const std::string& binary);

// Returns "none", "libvirt", "seed", "qemu_commandline" or "mixed".
const char* to_string(BootCertsForm form);

struct [[nodiscard]] DomainValidation {
  std::string file;  // the path, or "standard input" for "-"
  bool valid = false;
  // Invalid only because of the QEMU that would run it (too old, no boot-certs/secure-boot):
  // an unsupported environment (exit 4), not an invalid domain (exit 1).
  bool unsupported = false;
  hv::IplMode mode = hv::IplMode::kNormal;  // the IPL mode the domain gives
  BootCertsForm boot_certs_form = BootCertsForm::kNone;
  std::vector<std::string> boot_certs;
  Findings findings;  // parse findings, libvirt's rules, then schema violations (params "line" where known)
};

// Returns the validation of the domain XML at `path` for `target`, and against the RelaxNG
// schema `rng` when it is not empty; "-" reads standard input. Errors: the XML or the schema
// cannot be read or parsed.
Result<DomainValidation> validate_domain_file(const std::string& path, const ValidationContext& target,
                                              const std::string& rng = {});

struct [[nodiscard]] DomainCommandLine {
  std::string file;                            // the path, or "standard input" for "-"
  Findings findings;                           // the validation's findings
  bool unsupported = false;                    // invalid only for this QEMU (DomainValidation::unsupported)
  std::optional<QemuCommandLine> command_line;  // nullopt when the domain is invalid
};

// Returns the QEMU command line libvirt would run for the domain XML at `path` ("-": standard
// input), built for `target`'s version, or with `runnable` one a person can run by hand
// (ArgvOptions::runnable); or the findings that make it invalid. Errors: unreadable XML,
// devices the command line cannot express (kUnsupported).
Result<DomainCommandLine> domain_to_qemu(const std::string& path, const ValidationContext& target,
                                         bool runnable = false);

struct [[nodiscard]] DomainFromQemu {
  Domain domain;
  std::string xml;                   // the domain in libvirt's final form
  std::vector<std::string> ignored;  // options that say nothing sipl models
};

// Returns the domain for a QEMU command line: `argv`, or the words of the libvirt .args file
// `args_file` when it is not empty ("-": standard input). kUsage when both or neither are given; kBadInput for a
// command line that cannot be read.
Result<DomainFromQemu> domain_from_qemu(const std::vector<std::string>& argv, const std::string& args_file = {});

}  // namespace sipl::mgmt
