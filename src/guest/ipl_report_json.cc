// Renderings of GuestView. The dmesg wording is Linux's (arch/s390/kernel/setup.c
// log_component_list), so a user can compare it with a real guest's boot log.
#include "sipl/guest/ipl_report_json.h"

#include <fmt/format.h>

#include "sipl/guest/linux_console.h"

namespace sipl::guest {
namespace {

using json = nlohmann::ordered_json;

// The JSON contract of docs/JSON.md: addresses as "0x" + 16 hex digits, masks and flags with
// their field's width, lengths as numbers, absent values null.
std::string address(uint64_t v) { return fmt::format("0x{:016x}", v); }

json bits_json(const std::vector<IndicatorBit>& bits, unsigned digits) {
  json a = json::array();
  for (const auto& b : bits)
    a.push_back({{"bit", b.bit}, {"mask", fmt::format("0x{:0{}x}", b.mask, digits)}, {"meaning", b.meaning},
                 {"message", b.message}});
  return a;
}

bool used(const GuestView& v) { return v.report && v.report->used_by_linux(); }

}  // namespace

json to_json(const GuestView& v) {
  json j;
  j["secure"] = v.secure;
  j["has_secure"] = v.has_secure ? json(*v.has_secure) : json(nullptr);
  j["iplb"] = {{"address", address(v.iplb_addr)},
               {"length", v.iplb_len},
               {"hdr_flags", fmt::format("0x{:02x}", v.hdr_flags)},
               {"sipl", (v.hdr_flags & 0x40) != 0},
               {"iplir", (v.hdr_flags & 0x20) != 0},
               {"version", v.iplb_version},
               {"valid", v.iplb_valid}};
  if (v.report) {
    const auto& r = *v.report;
    j["report"] = {{"address", address(r.addr)},
                   {"length", r.len},
                   {"used_by_linux", r.used_by_linux()},
                   {"iiei", fmt::format("0x{:04x}", r.iiei)},
                   {"iiei_bits", bits_json(r.iiei_bits, 4)}};
  } else {
    j["report"] = nullptr;
  }
  auto& keys = j["platform_keyring"] = json::array();
  for (const auto& c : v.platform_keyring())
    keys.push_back({{"description", c.description}, {"subject", c.subject}, {"key_id", c.key_id},
                    {"fingerprint_sha256", c.fingerprint}, {"address", address(c.addr)}, {"length", c.len}});
  auto& loads = j["platform_keyring_loads"] = json::array();
  for (const auto& k : v.keyring)
    loads.push_back({{"index", k.index},
                     {"loaded", k.loaded},
                     {"description", k.loaded ? json(k.description) : json(nullptr)},
                     {"errno", k.loaded ? json(nullptr) : json(k.error)},
                     {"reason", k.loaded ? json(nullptr) : json(k.reason)}});
  j["linux_console"] = linux_console(v);
  auto& comps = j["components"] = json::array();
  if (used(v))
    for (const auto& c : v.report->components)
      comps.push_back({{"address", address(c.addr)},
                       {"length", c.len},
                       {"flags", fmt::format("0x{:02x}", c.flags)},
                       {"signed", c.is_signed},
                       {"verified", c.verified},
                       {"status", c.status()},
                       {"certificate_index", c.is_signed && c.verified ? json(c.cert_index) : json(nullptr)},
                       {"cei", fmt::format("0x{:08x}", c.cei)},
                       {"cei_bits", bits_json(c.cei_bits, 8)}});
  auto& fs = j["findings"] = json::array();
  for (const auto& f : v.findings) {
    json p = json::object();
    for (const auto& [k, val] : f.params) p[k] = val;
    fs.push_back({{"severity", to_string(f.severity)}, {"id", f.id}, {"message", f.message}, {"location", nullptr},
                  {"params", p}});
  }
  return j;
}

std::string to_text(const GuestView& v) {
  std::string out;
  out += fmt::format("/sys/firmware/ipl/secure: {}\n", v.secure ? 1 : 0);
  out += fmt::format("/sys/firmware/ipl/has_secure: {}\n",
                     v.has_secure ? (*v.has_secure ? "1" : "0") : "unknown");
  for (const auto& line : linux_console(v)) out += line + "\n";
  for (const auto& f : v.findings) out += fmt::format("{}: {}\n", to_string(f.severity), f.message);
  return out;
}

}  // namespace sipl::guest
