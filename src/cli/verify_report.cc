#include "cli/verify_report.h"

#include <fmt/format.h>

#include "cli/common.h"

namespace sipl::cli {
namespace {

using json = Json;

json certificate_json(const hv::StoreEntry& e) {
  return {{"path", e.path},
          {"subject", e.cert.subject()},
          {"issuer", e.cert.issuer()},
          {"serial", e.cert.serial_hex()},
          {"key_algorithm", e.cert.key_description()},
          {"not_before", format_time(e.cert.not_before())},
          {"not_after", format_time(e.cert.not_after())},
          {"der_size", e.cert.der().size()}};
}

json signature_json(const crypto::SignatureSummary& s) {
  const bool key_id = s.signer_id == "subject_key_id";
  return {{"signer_count", s.signer_count},
          {"signer_id", key_id ? "subject_key_identifier" : "issuer_and_serial"},
          {"serial", nonempty_or_null(s.signer_serial_hex)},
          {"subject_key_id", nonempty_or_null(s.signer_key_id_hex)},
          {"key_algorithm", nonempty_or_null(s.key_algorithm)},
          {"digest", nonempty_or_null(s.digest)},
          {"signed_attributes", s.signed_attributes},
          {"embedded_content", s.embedded_content},
          {"embedded_certificates", s.certificate_count}};
}

// Returns "appended", the detached signature's path, or "" when there is none.
std::string source_text(const fw::ComponentVerification& v) {
  switch (v.signature_source) {
    case fw::SignatureSource::kAppended: return "appended";
    case fw::SignatureSource::kDetached: return v.signature_file;
    case fw::SignatureSource::kNone: break;
  }
  return {};
}

const char* source_name(fw::SignatureSource s) {
  switch (s) {
    case fw::SignatureSource::kAppended: return "appended";
    case fw::SignatureSource::kDetached: return "detached";
    case fw::SignatureSource::kNone: break;
  }
  return nullptr;
}

void print_json_report(const VerifyReport& rep) {
  const fw::ComponentVerification& r = rep.verification;
  json j = json_document();
  j["file"] = r.file;
  const char* source = source_name(r.signature_source);
  j["signature_source"] = source ? json(source) : json(nullptr);
  j["signature_file"] = nonempty_or_null(r.signature_file);
  j["at"] = format_time(r.at);
  j["verified"] = r.verified();
  std::optional<size_t> idx = r.store_index();
  j["store_index"] = idx ? json(*idx + 1) : json(nullptr);
  j["certificate"] = idx ? certificate_json(rep.store.entries()[*idx]) : json(nullptr);
  j["diag508_rc"] = r.diag508_rc ? json(hex_field(*r.diag508_rc, 16)) : json(nullptr);
  j["payload_size"] = r.payload_size;
  j["signature_size"] = r.signature_size;
  j["signature"] = r.verdict && r.verdict->signature ? signature_json(*r.verdict->signature) : json(nullptr);
  auto& cands = j["candidates"] = json::array();
  if (r.verdict) {
    for (size_t i = 0; i < r.verdict->candidates.size(); ++i) {
      const auto& c = r.verdict->candidates[i];
      cands.push_back({{"store_index", i + 1},
                       {"path", rep.store.entries()[i].path},
                       {"status", candidate_status_name(c.status)},
                       {"message", c.finding.message}});
    }
  }
  auto& fs = j["findings"] = json::array();
  append_findings(fs, rep.store_warnings);
  append_findings(fs, r.findings);
  print_json(j);
}

void print_text_report(const VerifyReport& rep) {
  const fw::ComponentVerification& r = rep.verification;
  if (r.verified()) {
    size_t i = *r.store_index();
    const auto& e = rep.store.entries()[i];
    fmt::print("{}: verified by store certificate {} (DIAG 0x508 cert_store_index {}): {} ({})\n", r.file, i + 1, i,
               e.path, e.cert.subject());
  } else {
    fmt::print("{}: NOT verified{}\n", r.file,
               r.diag508_rc ? fmt::format(" (DIAG 0x508 rc 0x{:04x})", *r.diag508_rc) : std::string());
  }
  if (const std::string source = source_text(r); !source.empty())
    fmt::print("  component: {} bytes; signature: {} ({} bytes)\n", r.payload_size, source, r.signature_size);
  if (r.verdict && r.verdict->signature) {
    const auto& s = *r.verdict->signature;
    fmt::print("  signer info #0 of {}: {} {}, signer {}{}{}\n", s.signer_count,
               s.key_algorithm.empty() ? "unknown algorithm" : s.key_algorithm, s.digest.empty() ? "?" : s.digest,
               s.signer_id == "subject_key_id" ? "key id " + s.signer_key_id_hex : "serial " + s.signer_serial_hex,
               s.signed_attributes ? ", signed attributes" : "", s.embedded_content ? ", embedded content" : "");
  }
  if (r.verdict) {
    for (size_t i = 0; i < r.verdict->candidates.size(); ++i) {
      const auto& c = r.verdict->candidates[i];
      fmt::print("  [{}] {}: {}\n", i + 1, rep.store.entries()[i].path, c.finding.message);
    }
  }
  for (const auto& f : r.findings) fmt::print("  {}: {}\n", to_string(f.severity), f.message);
}

}  // namespace

void print_report(const VerifyReport& r, bool as_json) {
  if (as_json) print_json_report(r);
  else print_text_report(r);
}

}  // namespace sipl::cli
