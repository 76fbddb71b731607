// Findings: a verdict is not an error. "Why would it not boot" is a list of findings, each
// with a severity, a stable id (for JSON and tests) and parameters, attached to the thing
// it concerns. The CLI turns them into text, JSON and exit codes.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sipl {

enum class Severity { kInfo, kWarning, kError };

// Returns "info", "warning" or "error".
const char* to_string(Severity s);

struct Finding {
  Severity severity = Severity::kWarning;
  std::string id;       // stable, e.g. "store.skip_not_pem"
  std::string message;  // the user-facing text (verbatim QEMU/BIOS text where one exists)
  std::vector<std::pair<std::string, std::string>> params;  // e.g. {"path", "/etc/pki/x"}
};

using Findings = std::vector<Finding>;

// Returns a finding without parameters.
inline Finding make_finding(Severity severity, std::string id, std::string message) {
  return Finding{severity, std::move(id), std::move(message), {}};
}

}  // namespace sipl
