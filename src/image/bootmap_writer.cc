// Second half of build_bootmap: assigns blocks in the order zipl writes its bootmap file —
// per component its data then its segment tables (the tail table first, as zipl's
// add_segment_table does), per entry its component table, and last the program table — and
// encodes the metadata blocks field by field from zipl_layout.h.
#include "sipl/image/bootmap_writer.h"

#include <fmt/format.h>

#include "image/bootmap_plan.h"
#include "sipl/image/zipl_layout.h"

namespace sipl::image {
namespace {

namespace bp = zipl::blockptr;
namespace ce = zipl::component_entry;

void store_blockptr(MutableByteSpan b, size_t off, uint64_t block, uint32_t block_size,
                    uint64_t count) {
  store_u64_be(b, off + bp::kBlockNo, block);
  store_u16_be(b, off + bp::kSize, static_cast<uint16_t>(block_size));
  store_u16_be(b, off + bp::kBlockCt, static_cast<uint16_t>(count - 1));
  store_u32_be(b, off + bp::kReserved, 0);
}

void store_magic(MutableByteSpan b, size_t off) {
  for (size_t i = 0; i < zipl::kMagic.size(); ++i) store_u8(b, off + i, zipl::kMagic[i]);
}

class BlockAllocator {
 public:
  BlockAllocator(Bootmap& bm, uint32_t max_extent) : bm_(bm), max_extent_(max_extent) {}

  uint64_t next() const { return next_; }
  void start_at(uint64_t block) { next_ = block; }

  // Places `data` at the next free blocks; returns its extents.
  std::vector<Extent> place_data(const SourceRange& data) {
    uint64_t blocks = (data.length + bm_.block_size - 1) / bm_.block_size;
    bm_.writes.push_back({next_, data});
    std::vector<Extent> extents;
    for (uint64_t done = 0; done < blocks;) {
      uint64_t n = std::min<uint64_t>(max_extent_, blocks - done);
      extents.push_back({next_ + done, n});
      done += n;
    }
    next_ += blocks;
    return extents;
  }

  // Writes the segment tables for `extents`; returns their blocks, head first.
  std::vector<uint64_t> place_segment_tables(const std::vector<Extent>& extents) {
    const size_t per_table = zipl::segment_table::link_slot(bm_.block_size);
    const size_t tables = (extents.size() + per_table - 1) / per_table;
    std::vector<uint64_t> blocks(tables);
    // zipl fills the tables from the last one backwards, so the tail table gets the lowest
    // block and each table links to the one written before it.
    for (size_t k = tables; k-- > 0;) blocks[k] = next_ + (tables - 1 - k);
    for (size_t k = 0; k < tables; ++k) {
      Bytes table(bm_.block_size);
      for (size_t s = 0; s < per_table && k * per_table + s < extents.size(); ++s) {
        const Extent& x = extents[k * per_table + s];
        store_blockptr(table, s * bp::kLength, x.block, bm_.block_size, x.count);
      }
      if (k + 1 < tables) store_blockptr(table, per_table * bp::kLength, blocks[k + 1], bm_.block_size, 1);
      put(blocks[k], std::move(table));
    }
    next_ += tables;
    return blocks;
  }

  // Writes one metadata block at the next free block; returns its number.
  uint64_t place_block(Bytes block) {
    uint64_t at = next_++;
    put(at, std::move(block));
    return at;
  }

 private:
  void put(uint64_t block, Bytes bytes) { bm_.writes.push_back({block, own(std::move(bytes))}); }

  Bootmap& bm_;
  uint32_t max_extent_;
  uint64_t next_ = 1;
};

Bytes encode_component_table(const PlannedEntry& e, uint32_t block_size) {
  Bytes t(block_size);
  store_magic(t, zipl::component_header::kMagic);
  store_u8(t, zipl::component_header::kType, zipl::component_header::kTypeIpl);
  for (size_t i = 0; i < e.components.size(); ++i) {
    const PlannedComponent& c = e.components[i];
    const size_t off = ce::entry_offset(i);
    if (c.type != ce::kTypeExec)
      store_blockptr(t, off + ce::kData, c.segment_tables.front(), block_size, 1);
    store_u8(t, off + ce::kType, c.type);
    store_u64_be(t, off + ce::kCompdat, c.compdat);
  }
  return t;
}

Status check_spec(const BootmapSpec& spec) {
  if (spec.block_size != zipl::kBlockSize512 && spec.block_size != zipl::kBlockSize4096)
    return fail(ErrorCode::kUsage, fmt::format("block size must be 512 or 4096, not {}", spec.block_size));
  if (spec.entries.empty()) return fail(ErrorCode::kUsage, "at least one boot entry (a kernel) is needed");
  // Menu positions 1..30 plus the default in entry 0 (s390-tools zipl/src/bootmap.c, the program
  // table).
  if (spec.entries.size() > zipl::program_table::kEntryCount - 1)
    return fail(ErrorCode::kUsage, fmt::format("at most {} boot entries fit into a program table, not {}",
                                               zipl::program_table::kEntryCount - 1, spec.entries.size()));
  if (spec.first_block == 0) return fail(ErrorCode::kUsage, "block 0 holds the boot record; the layout must start after it");
  if (spec.max_extent_blocks == 0 || spec.max_extent_blocks > 65536)
    return fail(ErrorCode::kUsage, "an extent holds 1 to 65536 blocks");
  return {};
}

}  // namespace

uint64_t PlannedComponent::loaded_length(uint32_t block_size) const {
  uint64_t n = 0;
  for (const auto& x : extents) n += x.count;
  return n * block_size;
}

Result<Bootmap> build_bootmap(const BootmapSpec& spec) {
  if (auto st = check_spec(spec); !st) return tl::unexpected(st.error());
  Bootmap bm;
  bm.block_size = spec.block_size;
  auto entries = plan_entries(spec, bm.warnings);
  if (!entries) return tl::unexpected(entries.error());
  bm.entries = std::move(*entries);

  BlockAllocator alloc(bm, spec.max_extent_blocks);
  alloc.start_at(spec.first_block);
  bm.first_block = spec.first_block;
  for (auto& e : bm.entries) {
    if (ce::entry_offset(e.components.size()) > spec.block_size)
      return fail(ErrorCode::kUsage, fmt::format("entry '{}' has {} components; a {}-byte component table holds fewer",
                                                 e.name, e.components.size(), spec.block_size));
    for (auto& c : e.components) {
      if (c.type == ce::kTypeExec) continue;
      c.extents = alloc.place_data(c.data);
      c.segment_tables = alloc.place_segment_tables(c.extents);
    }
    e.component_table_block = alloc.place_block(encode_component_table(e, spec.block_size));
  }

  // Program table: entry 0 is the default; a menu also lists every entry at its position.
  Bytes pt(std::max<size_t>(zipl::program_table::kLength, spec.block_size));
  store_magic(pt, zipl::program_table::kMagic);
  store_blockptr(pt, zipl::program_table::entry_offset(0), bm.entries[0].component_table_block,
                 spec.block_size, 1);
  if (bm.entries.size() > 1)
    for (size_t i = 0; i < bm.entries.size(); ++i)
      store_blockptr(pt, zipl::program_table::entry_offset(i + 1), bm.entries[i].component_table_block,
                     spec.block_size, 1);
  bm.program_table_block = alloc.place_block(std::move(pt));
  bm.end_block = alloc.next();

  bm.boot_record.assign(zipl::mbr::kLength, std::byte{0});
  store_magic(bm.boot_record, zipl::mbr::kMagic);
  store_u32_be(bm.boot_record, zipl::mbr::kVersionId, zipl::mbr::kVersion);
  store_blockptr(bm.boot_record, zipl::mbr::kProgramTablePointer, bm.program_table_block, spec.block_size, 1);
  return bm;
}

std::vector<ImageWrite> bootmap_image_writes(const Bootmap& bm) {
  std::vector<ImageWrite> out;
  out.push_back({0, own(bm.boot_record), bm.boot_record.size()});
  for (const auto& w : bm.writes)
    out.push_back({w.block * bm.block_size, w.data, round_up(w.data.length, bm.block_size)});
  return out;
}

}  // namespace sipl::image
