// The JSON contract under test: every CLI test that reads `--json` output runs the verb
// through run_sipl_json, which parses the document and validates it, with python3-jsonschema
// (an implementation independent of sipl), against the schema shipped for the verb in
// data/schemas/json (docs/JSON.md), or against sipl-error's when the verb failed.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/run.h"

namespace sipl::test {

struct JsonRun {
  RunResult run;
  nlohmann::json json;  // discarded (is_discarded()) when stdout is not JSON
};

// Returns the schema name of a verb invocation: "sipl-boot", "sipl-domain-validate",
// "sipl-diag-320", ... from the first words of `args`.
std::string schema_for(const std::vector<std::string>& args);

// Adds a test failure for every violation of `schema` (e.g. "sipl-boot") by `document`.
void expect_valid_json(const std::string& document, const std::string& schema);

// Runs sipl with `args` (which must include --json), then parses and validates its stdout:
// against the verb's schema for exit 0 and 1, against sipl-error for exit 2, 3 and 4.
JsonRun run_sipl_json(const std::vector<std::string>& args);

}  // namespace sipl::test
