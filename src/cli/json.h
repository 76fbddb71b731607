// The JSON contract (docs/JSON.md) in one place: every verb builds its document with these, so
// an address, a return code, a finding or an error is spelled the same way by every verb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/hv/diag320.h"

namespace sipl::cli {

using Json = nlohmann::ordered_json;

inline constexpr int kJsonSchemaVersion = 2;

// Returns a JSON object that already carries "schema_version".
Json json_document();
// Prints `doc` on stdout, indented, followed by a newline.
void print_json(const Json& doc);

// Returns "0x" and `v` in lowercase hex, zero-padded to `bits` / 4 digits: 64 for addresses and
// PSWs, the field's width for masks, flags, subcodes and return codes.
std::string hex_field(uint64_t v, unsigned bits);
// Returns hex_field(v, 64): an address or a PSW.
inline std::string address(uint64_t v) { return hex_field(v, 64); }
// Returns `text` as an enum value: lowercase words joined by '_' ("boots with warnings" ->
// "boots_with_warnings", "privileged-operation" -> "privileged_operation").
std::string enum_name(std::string_view text);
// Returns `v` as a JSON string, or null.
Json string_or_null(const std::optional<std::string>& v);
// Returns `v` as a JSON string, or null when it is empty.
Json nonempty_or_null(const std::string& v);

// Returns {"path", "offset", "block", "line", "argv_index"} (absent parts null), or null when
// nothing is known.
Json location_json(const Location& where);
// Returns a diagnostic (a finding or an error, docs/DIAGNOSTICS.md): {"severity", "id",
// "message", "location", "params"}. When the document names the file, `path`, a "line"
// parameter is location.line (a number) rather than a parameter, and the location's path is
// `path` as the document spells it.
Json diagnostic_json(const Diagnostic& d, const std::string& path = {});
// Returns diagnostic_json(f, path).
Json finding_json(const Finding& f, const std::string& path = {});
// Appends finding_json of every finding to the array `to`.
void append_findings(Json& to, const Findings& fs, const std::string& path = {});

// Returns a certificate's verification status as an enum value: "verified", "not_tried",
// "wrong_key", "expired", ... (the finding ids without their "verify." prefix).
std::string candidate_status_name(crypto::CandidateStatus s);
// Returns "privileged_operation", "specification" or "addressing".
std::string program_exception_name(hv::ProgramException e);

// Returns "usage", "io", "bad_input", "limit", "unsupported" or "internal".
const char* error_code_name(ErrorCode c);
// Returns {"schema_version": 2, "error": {"code", "exit_code", "message", "hint", "location",
// "id", "params"}}: the diagnostic_json of the error with its code, exit code and hint.
Json error_document(const Error& e);

}  // namespace sipl::cli
