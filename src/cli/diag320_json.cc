#include "cli/diag320_json.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "sipl/hv/diag320_layout.h"

namespace sipl::cli {
namespace {

namespace L = hv::diag320;
using json = Json;

json ism_json(const std::optional<hv::IsmFields>& f) {
  if (!f) return nullptr;
  return {{"word0", hex_field(f->word0, 32)}, {"installed_subcodes", f->installed_subcodes()}};
}

json vcssb_json(const std::optional<hv::VcssbFields>& f) {
  if (!f) return nullptr;
  // An empty store's VCSSB is only its length: QEMU stores nothing else.
  const bool full = f->length != L::vcssb::kEmptyStoreLength;
  auto field = [&](uint64_t v) { return full ? json(v) : json(nullptr); };
  return {{"length", f->length},
          {"version", field(f->version)},
          {"total_vc_ct", field(f->total_vc_ct)},
          {"max_vc_ct", field(f->max_vc_ct)},
          {"max_single_vcb_len", field(f->max_single_vcb_len)},
          {"total_vcb_len", field(f->total_vcb_len)}};
}

json vce_json(const hv::VceFields& e, const hv::CertificateStore& store) {
  // A 72-byte (invalid) VCE ends after its name: the data fields are null.
  const bool full = e.len >= L::vce::kHeaderSize;
  auto field = [&](uint64_t v) { return full ? json(v) : json(nullptr); };
  const bool in_store = e.cert_idx >= 1 && e.cert_idx <= store.count();
  return {{"offset", e.offset},
          {"length", e.len},
          {"flags", hex_field(e.flags, 8)},
          {"valid", e.valid},
          {"vce_key_type", e.key_type},
          {"store_index", e.cert_idx},
          {"path", in_store ? json(store.entries()[e.cert_idx - 1u].path) : json(nullptr)},
          {"name", e.name},
          {"format", field(e.format)},
          {"key_id_length", field(e.keyid_len)},
          {"hash_type", field(e.hash_type)},
          {"hash_length", field(e.hash_len)},
          {"cert_length", field(e.cert_len)},
          {"hash_offset", field(e.hash_offset)},
          {"cert_offset", field(e.cert_offset)},
          {"key_id", full ? json(to_hex(e.key_id)) : json(nullptr)},
          {"hash", full ? json(to_hex(e.hash)) : json(nullptr)}};
}

}  // namespace

json diag320_json(const hv::Diag320Outcome& o, UnixTime at, const hv::CertificateStore& store,
                  const Findings& store_warnings) {
  const auto& result = o.result;
  json doc = json_document();
  doc["subcode"] = hex_field(o.subcode, 8);
  doc["at"] = format_time(at);
  doc["program_exception"] = result.exception ? json(program_exception_name(*result.exception)) : json(nullptr);
  doc["rc"] = result.exception ? json(nullptr) : json(hex_field(result.rc, 16));
  doc["block_size"] = o.block.size();
  doc["ism"] = ism_json(o.ism);
  doc["vcssb"] = vcssb_json(o.vcssb);
  if (o.vcb) {
    const auto& f = *o.vcb;
    json entries = json::array();
    for (const auto& e : f.entries) entries.push_back(vce_json(e, store));
    doc["vcb"] = {{"in_len", f.in_len},       {"first_vc_index", f.first_vc_index}, {"last_vc_index", f.last_vc_index},
                  {"out_len", f.out_len},     {"stored_ct", f.stored_ct},           {"remain_ct", f.remain_ct},
                  {"entries", entries}};
  } else {
    doc["vcb"] = nullptr;
  }
  doc["output"] = nullptr;
  auto& fs = doc["findings"] = json::array();
  append_findings(fs, store_warnings);
  append_findings(fs, result.findings);
  return doc;
}

}  // namespace sipl::cli
