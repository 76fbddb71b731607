// Shared CLI helpers: the JSON envelope, --at handling, output files.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"

namespace sipl::cli {

inline constexpr int kJsonSchemaVersion = 1;

// Returns a JSON object that already carries "schema_version".
nlohmann::ordered_json json_document();
// Prints `doc` on stdout, indented, followed by a newline.
void print_json(const nlohmann::ordered_json& doc);
// Returns the time of `--at` (empty option: now).
Result<UnixTime> resolve_at(const std::string& at_option);
// Writes `data` to `path` atomically, or to stdout when path is "-".
Status write_output(const std::string& path, ByteSpan data);

}  // namespace sipl::cli
