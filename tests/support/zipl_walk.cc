#include "support/zipl_walk.h"

#include <fstream>
#include <sstream>

namespace sipl::test {

uint64_t be(const std::string& s, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(s.at(off + i));
  return v;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

std::string block_at(const std::string& img, uint64_t blk, uint64_t bytes, uint32_t bs) {
  uint64_t off = blk * bs;
  if (off + bytes > img.size()) return {};
  return img.substr(off, bytes);
}

bool walk_component(const std::string& img, uint32_t bs, WalkedComponent& c, std::string& err) {
  uint64_t table = be(c.raw, 0, 8);
  for (int guard = 0; table != 0; ++guard) {
    if (guard > 10000) { err = "segment table chain too long"; return false; }
    c.tables.push_back(table);
    std::string t = block_at(img, table, bs, bs);
    if (t.empty()) { err = "segment table outside image"; return false; }
    const size_t slots = bs / 16;
    uint64_t next = 0;
    for (size_t s = 0; s < slots; ++s) {
      uint64_t blk = be(t, s * 16, 8);
      if (s == slots - 1) { next = blk; break; }
      if (blk == 0) break;
      WalkedExtent x{blk, be(t, s * 16 + 8, 2), be(t, s * 16 + 10, 2)};
      std::string data = block_at(img, blk, x.size * (x.blockct + 1), bs);
      if (data.empty()) { err = "extent outside image"; return false; }
      c.extents.push_back(x);
      c.loaded += data;
    }
    table = next;
  }
  return true;
}

}  // namespace

WalkedDisk walk_zipl_disk(const std::string& img, uint32_t bs) {
  WalkedDisk d;
  if (img.size() < bs || img.substr(0, 4) != "zIPL" || be(img, 4, 4) != 1) { d.error = "no zIPL MBR"; return d; }
  d.program_table_block = be(img, 16, 8);
  std::string pt = block_at(img, d.program_table_block, 512, bs);
  if (pt.empty() || pt.substr(0, 4) != "zIPL") { d.error = "bad program table"; return d; }
  for (size_t i = 0; i < 31; ++i) d.program_entries.push_back(be(pt, 16 + 16 * i, 8));
  for (uint64_t ct : d.program_entries) {
    if (ct == 0) continue;
    WalkedProgram p;
    p.table_block = ct;
    std::string t = block_at(img, ct, bs, bs);
    if (t.empty() || t.substr(0, 4) != "zIPL") { d.error = "bad component table"; return d; }
    p.header_type = static_cast<uint8_t>(t[4]);
    for (size_t off = 32; off + 32 <= bs; off += 32) {
      WalkedComponent c;
      c.raw = t.substr(off, 32);
      c.type = static_cast<uint8_t>(c.raw[23]);
      c.compdat = be(c.raw, 24, 8);
      if (c.type == 1) { p.components.push_back(c); break; }
      if (c.type != 2 && c.type != 3) { d.error = "unknown component type"; return d; }
      if (!walk_component(img, bs, c, d.error)) return d;
      p.components.push_back(std::move(c));
    }
    d.programs.push_back(std::move(p));
  }
  return d;
}

}  // namespace sipl::test
