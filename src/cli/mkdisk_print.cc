#include "cli/mkdisk_print.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "sipl/image/zipl_layout.h"

namespace sipl::cli {
namespace {

namespace ce = zipl::component_entry;

// The zipl component table entry type, spelled as `sipl inspect` spells it.
std::string type_name(uint8_t type) {
  switch (type) {
    case ce::kTypeExec: return "exec";
    case ce::kTypeLoad: return "load";
    case ce::kTypeSignature: return "signature";
  }
  return "unknown";
}

std::string hex(uint64_t v) { return fmt::format("0x{:x}", v); }

// Returns zipl's name of a component as an enum value ("kernel image" -> "kernel_image").
std::string kind_name(image::ComponentKind k) {
  std::string s(image::component_kind_name(k));
  for (char& c : s)
    if (c == ' ') c = '_';
  return s;
}

std::string extents_text(const image::PlannedComponent& c) {
  std::string s;
  for (const auto& x : c.extents) s += fmt::format("{}{}+{}", s.empty() ? "" : ",", x.block, x.count);
  return s;
}

}  // namespace

std::string mkdisk_text(const image::DiskWriteResult& s) {
  const image::Bootmap& bm = s.bootmap;
  std::string out = fmt::format("{}{}: {} image, {} bytes, {}-byte blocks, layout in blocks {}..{}, --secure {}\n",
                                s.dry_run ? "dry run, nothing written: " : "", s.disk, image::format_name(s.format),
                                s.size, bm.block_size,
                                bm.first_block, bm.end_block - 1, image::secure_mode_name(s.secure));
  out += fmt::format("boot record: block 0 -> program table in block {}\n", bm.program_table_block);
  for (size_t i = 0; i < bm.entries.size(); ++i) {
    const auto& e = bm.entries[i];
    std::string pos = bm.entries.size() > 1 ? fmt::format("program {}{}", i + 1, i == 0 ? " and 0 (default)" : "")
                                            : std::string("program 0");
    out += fmt::format("{} '{}': component table in block {}\n", pos, e.name, e.component_table_block);
    for (size_t k = 0; k < e.components.size(); ++k) {
      const auto& c = e.components[k];
      if (c.type == ce::kTypeExec) {
        out += fmt::format("  [{:2}] EXECUTE   psw 0x{:016x}\n", k, c.compdat);
        continue;
      }
      std::string what = c.type == ce::kTypeSignature
                             ? fmt::format("SIGNATURE pkcs7 {:>8} bytes       ", c.signature_length)
                             : fmt::format("LOAD      0x{:08x}-0x{:08x}", c.compdat,
                                           c.compdat + c.loaded_length(bm.block_size) - 1);
      out += fmt::format("  [{:2}] {} {:<17} data {} segtable {}{}\n", k, what, image::component_kind_name(c.kind),
                         extents_text(c), c.segment_tables.front(), c.source.empty() ? "" : "  " + c.source);
    }
    const auto& p = e.parms;
    out += fmt::format("       stage 3 parameters: parm_addr={} initrd_addr={} initrd_len={} load_psw=0x{:016x} "
                       "flags=0x{:016x} image_len={} image_addr={}\n",
                       hex(p.parm_addr), hex(p.initrd_addr), p.initrd_len, p.load_psw, p.flags, p.image_len,
                       hex(p.image_addr));
  }
  return out;
}

Json mkdisk_json(const image::DiskWriteResult& s) {
  const image::Bootmap& bm = s.bootmap;
  auto doc = json_document();
  doc["disk"] = s.disk;
  doc["format"] = image::format_name(s.format);
  doc["dry_run"] = s.dry_run;
  doc["updated_existing"] = s.updated_existing;
  doc["size"] = s.size;
  doc["block_size"] = bm.block_size;
  doc["secure"] = std::string(image::secure_mode_name(s.secure));
  doc["first_block"] = bm.first_block;
  doc["end_block"] = bm.end_block;
  doc["program_table_block"] = bm.program_table_block;
  auto entries = Json::array();
  for (size_t i = 0; i < bm.entries.size(); ++i) {
    const auto& e = bm.entries[i];
    Json je;
    je["name"] = e.name;
    je["program_table_positions"] =
        bm.entries.size() == 1 ? Json::array({0}) : (i == 0 ? Json::array({0, 1}) : Json::array({i + 1}));
    je["component_table_block"] = e.component_table_block;
    auto comps = Json::array();
    for (const auto& c : e.components) {
      const bool exec = c.type == ce::kTypeExec;
      Json jc;
      jc["type"] = type_name(c.type);
      jc["component"] = kind_name(c.kind);
      jc["psw"] = exec ? Json(address(c.compdat)) : Json(nullptr);
      jc["address"] = c.type == ce::kTypeLoad ? Json(address(c.compdat)) : Json(nullptr);
      jc["signature_length"] = c.type == ce::kTypeSignature ? Json(c.signature_length) : Json(nullptr);
      jc["data_length"] = c.data.length;
      jc["loaded_length"] = exec ? 0 : c.loaded_length(bm.block_size);
      auto ex = Json::array();
      for (const auto& x : c.extents) ex.push_back({{"block", x.block}, {"count", x.count}});
      jc["extents"] = ex;
      jc["segment_tables"] = c.segment_tables;
      jc["source"] = nonempty_or_null(c.source);
      comps.push_back(jc);
    }
    je["components"] = comps;
    const auto& p = e.parms;
    je["stage3_parameters"] = {{"parm_addr", address(p.parm_addr)},     {"initrd_addr", address(p.initrd_addr)},
                               {"initrd_len", p.initrd_len},            {"load_psw", address(p.load_psw)},
                               {"extra_parm", p.extra_parm},            {"flags", hex_field(p.flags, 64)},
                               {"image_len", p.image_len},              {"image_addr", address(p.image_addr)},
                               {"envblk_addr", address(p.envblk_addr)}, {"envblk_len", p.envblk_len}};
    entries.push_back(je);
  }
  doc["entries"] = entries;
  auto& fs = doc["findings"] = Json::array();
  for (const auto& w : bm.warnings) fs.push_back(finding_json({Severity::kWarning, ids::kZiplWarning, w, {}}));
  return doc;
}

}  // namespace sipl::cli
