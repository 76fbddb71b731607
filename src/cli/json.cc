#include "cli/json.h"

#include <cctype>
#include <cstdio>

#include <fmt/format.h>

namespace sipl::cli {

Json json_document() {
  Json j;
  j["schema_version"] = kJsonSchemaVersion;
  return j;
}

void print_json(const Json& doc) {
  std::string s = doc.dump(2, ' ', false, Json::error_handler_t::replace);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

std::string hex_field(uint64_t v, unsigned bits) { return fmt::format("0x{:0{}x}", v, bits / 4); }

std::string enum_name(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == ' ' || c == '-') c = '_';
    else c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

Json string_or_null(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

Json nonempty_or_null(const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); }

namespace {
Json opt_number(const std::optional<uint64_t>& v) { return v ? Json(*v) : Json(nullptr); }
}  // namespace

Json location_json(const Location& w) {
  if (w.empty()) return nullptr;
  return {{"path", nonempty_or_null(w.path)},
          {"offset", opt_number(w.offset)},
          {"block", opt_number(w.block)},
          {"line", opt_number(w.line)},
          {"argv_index", opt_number(w.argv_index)}};
}

Json diagnostic_json(const Diagnostic& d, const std::string& path) {
  Location where = d.where;
  Json params = Json::object();
  for (const auto& [k, v] : d.params) {
    // Schema version 2 printed a domain finding's line as location.line when the document
    // names the file (`path`), not as a parameter; elsewhere the parameter stays.
    if (k == "line" && !path.empty()) {
      if (!where.line) where.line = std::stoull(v);
      continue;
    }
    params[k] = v;
  }
  if (!path.empty() && !where.empty()) where.path = path;
  return {{"severity", to_string(d.severity)},
          {"id", d.id},
          {"message", d.message},
          {"location", location_json(where)},
          {"params", params}};
}

Json finding_json(const Finding& f, const std::string& path) { return diagnostic_json(f, path); }

void append_findings(Json& to, const Findings& fs, const std::string& path) {
  for (const auto& f : fs) to.push_back(finding_json(f, path));
}

std::string candidate_status_name(crypto::CandidateStatus s) {
  std::string id = crypto::to_id(s);
  return id.substr(id.find('.') + 1);
}

std::string program_exception_name(hv::ProgramException e) { return enum_name(hv::to_string(e)); }

const char* error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kBadInput: return "bad_input";
    case ErrorCode::kLimit: return "limit";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

Json error_document(const Error& e) {
  Json doc = json_document();
  // The error is a diagnostic as a finding is (docs/DIAGNOSTICS.md): "id", "message" and
  // "location" are spelled by diagnostic_json; "code", "exit_code" and "hint" are an error's.
  Json d = diagnostic_json(e);
  doc["error"] = {{"code", error_code_name(e.code)},
                  {"exit_code", exit_code_for(e.code)},
                  {"message", d["message"]},
                  {"hint", nonempty_or_null(e.hint)},
                  {"location", d["location"]},
                  {"id", d["id"]},
                  {"params", d["params"]}};
  return doc;
}

}  // namespace sipl::cli
