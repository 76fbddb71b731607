#include "cli/diag320_json.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "sipl/hv/diag320_layout.h"

namespace sipl::cli {
namespace {

namespace L = hv::diag320;
using json = nlohmann::ordered_json;

json ism_json(const hv::IsmFields& f) {
  json j;
  j["word0"] = fmt::format("0x{:08x}", f.word0);
  j["installed_subcodes"] = f.installed_subcodes();
  return j;
}

json vcssb_json(const hv::VcssbFields& f) {
  json j;
  j["length"] = f.length;
  if (f.length == L::vcssb::kEmptyStoreLength) return j;  // nothing else was stored
  j["version"] = f.version;
  j["total_vc_ct"] = f.total_vc_ct;
  j["max_vc_ct"] = f.max_vc_ct;
  j["max_single_vcb_len"] = f.max_single_vcb_len;
  j["total_vcb_len"] = f.total_vcb_len;
  return j;
}

json vce_json(const hv::VceFields& e, const hv::CertificateStore& store) {
  json j;
  j["offset"] = e.offset;
  j["len"] = e.len;
  j["valid"] = e.valid;
  j["key_type"] = e.key_type;
  j["cert_idx"] = e.cert_idx;
  j["name"] = e.name;
  if (e.cert_idx >= 1 && e.cert_idx <= store.count())
    j["path"] = store.entries()[e.cert_idx - 1u].path;
  if (e.len < L::vce::kHeaderSize) return j;
  j["format"] = e.format;
  j["keyid_len"] = e.keyid_len;
  j["hash_type"] = e.hash_type;
  j["hash_len"] = e.hash_len;
  j["cert_len"] = e.cert_len;
  j["hash_offset"] = e.hash_offset;
  j["cert_offset"] = e.cert_offset;
  j["key_id"] = to_hex(e.key_id);
  j["hash"] = to_hex(e.hash);
  return j;
}

}  // namespace

json diag320_json(const hv::Diag320Outcome& o, UnixTime at, const hv::CertificateStore& store,
                  const Findings& store_warnings) {
  const auto& result = o.result;
  json doc = json_document();
  doc["subcode"] = o.subcode;
  doc["at"] = format_time(at);
  doc["exception"] = result.exception ? json(hv::to_string(*result.exception)) : json(nullptr);
  doc["rc"] = result.exception ? json(nullptr) : json(result.rc);
  doc["rc_hex"] = result.exception ? json(nullptr) : json(fmt::format("0x{:04x}", result.rc));
  doc["block_size"] = o.block.size();
  if (o.ism) doc["ism"] = ism_json(*o.ism);
  if (o.vcssb) doc["vcssb"] = vcssb_json(*o.vcssb);
  if (o.vcb) {
    const auto& f = *o.vcb;
    json vcb;
    vcb["in_len"] = f.in_len;
    vcb["first_vc_index"] = f.first_vc_index;
    vcb["last_vc_index"] = f.last_vc_index;
    vcb["out_len"] = f.out_len;
    vcb["stored_ct"] = f.stored_ct;
    vcb["remain_ct"] = f.remain_ct;
    json entries = json::array();
    for (const auto& e : f.entries) entries.push_back(vce_json(e, store));
    vcb["entries"] = entries;
    doc["vcb"] = vcb;
  }
  json warnings = json::array();
  for (const auto& w : store_warnings) warnings.push_back(w.message);
  for (const auto& w : result.findings) warnings.push_back(w.message);
  doc["warnings"] = warnings;
  return doc;
}

}  // namespace sipl::cli
