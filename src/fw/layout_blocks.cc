// The blocks an existing zipl layout occupies, so that `sipl mkdisk` can replace its own
// earlier output (zipl is re-run after every kernel update) without calling it foreign data.
#include <algorithm>

#include "sipl/fw/boot_record.h"

namespace sipl::fw {

std::vector<BlockRange> zipl_layout_blocks(const image::DiskImage& disk) {
  std::vector<BlockRange> out;
  auto map = read_boot_map(disk);
  if (!map) return out;  // no zIPL boot record (or none sipl can read): nothing is ours
  auto add = [&](uint64_t first, uint64_t count) {
    if (count) out.push_back({first, first + count});
  };
  add(map->program_table_pointer.blockno, 1);
  for (unsigned i : map->used_entries()) {
    auto p = load_program(disk, *map, i);
    if (!p) return {};  // a layout that cannot be walked is not known to be ours
    add(p->component_table, 1);
    for (const auto& c : p->components) {
      for (uint64_t b : c.segment_table_blocks) add(b, 1);
      for (const auto& e : c.extents) add(e.blockno, e.blocks());
    }
  }
  std::sort(out.begin(), out.end(), [](const BlockRange& a, const BlockRange& b) { return a.first < b.first; });
  std::vector<BlockRange> merged;
  for (const auto& r : out) {
    if (!merged.empty() && r.first <= merged.back().end) merged.back().end = std::max(merged.back().end, r.end);
    else merged.push_back(r);
  }
  return merged;
}

}  // namespace sipl::fw
