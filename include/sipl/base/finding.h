// Findings: a verdict is not an error. "Why would it not boot" is a list of findings, each
// a Diagnostic (sipl/base/diagnostic.h: severity, stable id, message, parameters, location)
// attached to the thing it concerns. The CLI turns them into text, JSON and exit codes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sipl/base/diagnostic.h"
#include "sipl/base/diagnostic_ids.h"

namespace sipl {

struct Finding : Diagnostic {
  Finding() = default;
  Finding(Severity s, std::string i, std::string m, DiagnosticParams p = {}, Location w = {})
      : Diagnostic{s, std::move(i), std::move(m), std::move(p), std::move(w)} {}
};

using Findings = std::vector<Finding>;

// Returns a finding without parameters.
inline Finding make_finding(Severity severity, std::string id, std::string message, Location where = {}) {
  return Finding{severity, std::move(id), std::move(message), {}, std::move(where)};
}

}  // namespace sipl
