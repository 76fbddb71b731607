// The boot-record walk, following the order in which the s390-ccw BIOS reads the disk
// (ipl_scsi -> zipl_run -> zipl_load_segment). Where the BIOS would read garbage or fail
// later (a link slot with a non-zero count, an extent whose size is not the block size),
// the walk stops at once with the block number, so a user sees the cause, not a symptom.
#include "sipl/fw/boot_record.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "sipl/base/reader.h"
#include "sipl/image/zipl_layout.h"

namespace sipl::fw {
namespace {

// Every block of the disk is read through a Reader that knows the block's byte offset in the
// image, so a block shorter than a layout (which open_boot_disk's block size rules out) is an
// error naming the byte, never a read past the buffer.
Reader block_reader(const image::DiskImage& disk, const Bytes& b, uint64_t block) {
  return Reader(b, disk.path(), block * disk.block_size(), "the block");
}

Result<bool> has_magic(const Reader& r, size_t off) {
  auto m = r.bytes_at(off, zipl::kMagic.size(), "zIPL magic");
  if (!m) return tl::unexpected(m.error());
  for (size_t i = 0; i < zipl::kMagic.size(); ++i)
    if ((*m)[i] != std::byte{zipl::kMagic[i]}) return false;
  return true;
}

Result<BlockPointer> parse_pointer(const Reader& r, size_t off, std::string_view what) {
  namespace bp = zipl::blockptr;
  auto f = r.fixed_at<bp::kLength>(off, what);
  if (!f) return tl::unexpected(f.error());
  return BlockPointer{f->u64_be<bp::kBlockNo>(), f->u16_be<bp::kSize>(), f->u16_be<bp::kBlockCt>()};
}

// True when the 16-byte slot at `off` is all BIOS filler bytes (0xAA): QEMU reads a segment
// table into a 0xAA-prefilled buffer and treats a count-0 pointer before filler as a link.
Result<bool> is_filler(const Reader& r, size_t off) {
  auto slot = r.bytes_at(off, zipl::blockptr::kLength, "segment table slot");
  if (!slot) return tl::unexpected(slot.error());
  for (std::byte b : *slot)
    if (b != std::byte{zipl::segment_table::kFiller}) return false;
  return true;
}

class Walker {
 public:
  Walker(const image::DiskImage& disk, const WalkLimits& limits, unsigned program)
      : disk_(disk),
        bs_(disk.block_size()),
        blocks_(disk.block_count()),
        max_bytes_(effective_byte_limit(disk, limits)),
        max_tables_(limits.max_segment_tables),
        program_(program) {}

  // Loads the component whose first segment table is at `first` (referenced from `from`).
  Status load(Component& c, uint64_t first, uint64_t from);

 private:
  tl::unexpected<Error> bad(uint64_t block, std::string msg, ErrorCode code = ErrorCode::kBadInput) const {
    return fail(code, std::move(msg), Location::at_block(disk_.path(), block));
  }
  Status add_extent(Component& c, const BlockPointer& p, size_t slot, uint64_t table);
  Status add_ranges(Component& c, size_t first_extent);

  const image::DiskImage& disk_;
  uint32_t bs_;
  uint64_t blocks_;
  uint64_t max_bytes_;
  uint64_t max_tables_;
  unsigned program_;
  uint64_t total_bytes_ = 0;
  uint64_t tables_read_ = 0;
};

Status Walker::add_extent(Component& c, const BlockPointer& p, size_t slot, uint64_t table) {
  if (p.size != bs_)
    return bad(table, fmt::format("segment table slot {}: extent block size {} is not the disk block size {}", slot,
                                  p.size, bs_));
  if (p.blockno >= blocks_ || p.blockct >= blocks_ - p.blockno)
    return bad(table, fmt::format("segment table slot {}: extent of {} blocks at block {} is past the end of "
                                  "the image ({} blocks)",
                                  slot, p.blocks(), p.blockno, blocks_));
  const uint64_t n = p.blocks() * bs_;
  if (n > max_bytes_ - total_bytes_)
    return bad(
        table,
        fmt::format("program {} loads more than {} bytes (component table entry {})", program_, max_bytes_, c.index),
        ErrorCode::kLimit);
  total_bytes_ += n;
  // Turned into ranges later (add_ranges), once the whole chain is known.
  c.extents.push_back(p);
  c.length += n;
  return {};
}

Status Walker::add_ranges(Component& c, size_t first_extent) {
  // Each extent becomes a range of the image (add_extent checked it is inside), read only
  // when the bytes are needed: hashed, copied into guest pages, cut into a signature. A
  // 256 MiB initrd costs nothing until then.
  for (size_t i = first_extent; i < c.extents.size(); ++i) {
    auto r = disk_.range(c.extents[i].blockno * bs_, c.extents[i].blocks() * bs_);
    if (!r) return tl::unexpected(r.error());
    if (!disk_.reads_cannot_fail()) {
      // qcow2: decoding a cluster can fail (a corrupt table entry or compressed cluster) and
      // the BIOS would fail on that read, so check the range now to name the block here.
      if (auto s = disk_.check(r->offset, r->length); !s) return s;
    }
    c.bytes.append(std::move(*r));
  }
  return {};
}

Status Walker::load(Component& c, uint64_t first, uint64_t from) {
  const size_t slots = zipl::segment_table::slots(bs_);
  std::unordered_set<uint64_t> seen;
  const size_t first_extent = c.extents.size();
  uint64_t block = first;
  uint64_t referrer = from;
  while (block != 0) {
    if (++tables_read_ > max_tables_)
      return bad(block, fmt::format("program {} follows more than {} segment-table blocks", program_, max_tables_),
                 ErrorCode::kLimit);
    if (block >= blocks_)
      return bad(referrer, fmt::format("component table entry {}: segment table block {} is past the end of the "
                                       "image ({} blocks)",
                                       c.index, block, blocks_));
    if (!seen.insert(block).second)
      return bad(referrer,
                 fmt::format("segment table chain of component table entry {} loops back to block {}", c.index, block));
    auto table = disk_.read_blocks(block, 1);
    if (!table) return tl::unexpected(table.error());
    c.segment_table_blocks.push_back(block);
    const Reader r = block_reader(disk_, *table, block);
    uint64_t next = 0;
    for (size_t slot = 0; slot < slots; ++slot) {
      const size_t off = slot * zipl::blockptr::kLength;
      auto pr = parse_pointer(r, off, "segment table slot");
      if (!pr) return tl::unexpected(pr.error());
      const BlockPointer& p = *pr;
      if (p.blockno == 0) break;  // end of the list
      if (slot == slots - 1) {
        // On 512-byte blocks the BIOS sees filler after this slot, so only a count-0 pointer
        // links; a counted one would be loaded as data followed by filler and fail.
        if (p.blockct != 0 && bs_ != zipl::kBlockSize4096)
          return bad(block, fmt::format("segment table slot {} (the link slot) has blockct {}; a link must have "
                                        "blockct 0",
                                        slot, p.blockct));
        next = p.blockno;
        break;
      }
      if (p.blockct == 0) {
        auto filler = is_filler(r, off + zipl::blockptr::kLength);
        if (!filler) return tl::unexpected(filler.error());
        if (*filler) {
          next = p.blockno;
          break;
        }
      }
      if (auto s = add_extent(c, p, slot, block); !s) return s;
    }
    referrer = block;
    block = next;
  }
  return add_ranges(c, first_extent);
}

}  // namespace

void ComponentData::append(SourceRange r) {
  if (r.length == 0) return;
  size_ += r.length;
  if (!pieces_.empty()) {
    SourceRange& last = pieces_.back();
    if (last.source == r.source && last.offset + last.length == r.offset) {
      last.length += r.length;
      return;
    }
  }
  pieces_.push_back(std::move(r));
}

Status ComponentData::copy(uint64_t offset, MutableByteSpan out) const {
  if (offset > size_ || out.size() > size_ - offset)
    return fail(ErrorCode::kInternal,
                fmt::format("read of {} bytes at {} is outside a {}-byte component", out.size(), offset, size_));
  uint64_t pos = 0;  // start of the current range within the data
  size_t done = 0;
  for (const auto& p : pieces_) {
    if (done == out.size()) break;
    const uint64_t end = pos + p.length;
    const uint64_t want = offset + done;
    if (want < end) {
      const uint64_t from = want - pos;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(p.length - from, out.size() - done));
      if (auto s = p.source->read(p.offset + from, out.subspan(done, n)); !s) return s;
      done += n;
    }
    pos = end;
  }
  return {};
}

Result<Bytes> ComponentData::slice(uint64_t offset, uint64_t len) const {
  if (offset > size_ || len > size_ - offset)
    return fail(ErrorCode::kInternal,
                fmt::format("slice of {} bytes at {} is outside a {}-byte component", len, offset, size_));
  Bytes out(static_cast<size_t>(len));
  if (auto s = copy(offset, out); !s) return tl::unexpected(s.error());
  return out;
}

const char* component_type_name(ComponentType t) {
  switch (t) {
    case ComponentType::kExec:
      return "exec";
    case ComponentType::kLoad:
      return "load";
    case ComponentType::kSignature:
      return "signature";
  }
  return "unknown";
}

std::vector<unsigned> BootMap::used_entries() const {
  std::vector<unsigned> used;
  for (unsigned i = 0; i < program_entries.size(); ++i)
    if (program_entries[i].blockno != 0) used.push_back(i);
  return used;
}

uint64_t effective_byte_limit(const image::DiskImage& disk, const WalkLimits& limits) {
  if (limits.max_total_bytes != 0) return limits.max_total_bytes;
  constexpr uint64_t kAddressLimit = 0x80000000ULL;  // zipl loads nothing above 2 GiB
  return std::min(kAddressLimit, std::max(zipl::kMaxComponentBytes, disk.size()));
}

Result<BootMap> read_boot_map(const image::DiskImage& disk) {
  const std::string& path = disk.path();
  BootMap map;
  map.block_size = disk.block_size();
  if (disk.block_count() == 0)
    return fail(ErrorCode::kBadInput,
                fmt::format("image of {} bytes is smaller than one {}-byte block", disk.size(), map.block_size),
                Location{path});
  auto b0 = disk.read_blocks(0, 1);
  if (!b0) return tl::unexpected(b0.error());
  const Reader r0 = block_reader(disk, *b0, 0);
  auto magic0 = has_magic(r0, zipl::mbr::kMagic);
  if (!magic0) return tl::unexpected(magic0.error());
  if (!*magic0)
    return fail(ErrorCode::kBadInput,
                fmt::format("no zIPL boot record (magic is {}, expected 7a49504c \"zIPL\"): not a zipl SCSI-scheme "
                            "boot disk",
                            to_hex(ByteSpan(*b0).first(4))),
                Location::at_block(path, 0));
  auto version = r0.u32_be_at(zipl::mbr::kVersionId, "boot record version");
  if (!version) return tl::unexpected(version.error());
  map.version = *version;
  if (map.version != zipl::mbr::kVersion) map.warnings.emplace_back(zipl::mbr::kUnknownVersionWarning);
  auto ptp = parse_pointer(r0, zipl::mbr::kProgramTablePointer, "program table pointer");
  if (!ptp) return tl::unexpected(ptp.error());
  map.program_table_pointer = *ptp;
  const uint64_t pt = map.program_table_pointer.blockno;
  if (pt == 0)
    return fail(ErrorCode::kBadInput, "boot record has no program table pointer (block number 0)",
                Location::at_block(path, 0));
  if (pt >= disk.block_count())
    return fail(ErrorCode::kBadInput,
                fmt::format("program table pointer to block {} is past the end of the image ({} blocks of {} bytes)",
                            pt, disk.block_count(), map.block_size),
                Location::at_block(path, 0));
  auto table = disk.read_blocks(pt, 1);
  if (!table) return tl::unexpected(table.error());
  const Reader rt = block_reader(disk, *table, pt);
  auto magic = has_magic(rt, zipl::program_table::kMagic);
  if (!magic) return tl::unexpected(magic.error());
  if (!*magic) return fail(ErrorCode::kBadInput, "program table has no zIPL magic", Location::at_block(path, pt));
  for (size_t i = 0; i < zipl::program_table::kEntryCount; ++i) {
    auto e = parse_pointer(rt, zipl::program_table::entry_offset(i), "program table entry");
    if (!e) return tl::unexpected(e.error());
    map.program_entries.push_back(*e);
  }
  if (map.used_entries().empty())
    return fail(ErrorCode::kBadInput, "program table has no entries", Location::at_block(path, pt));
  return map;
}

Result<Program> load_program(const image::DiskImage& disk, const BootMap& map, unsigned index,
                             const WalkLimits& limits) {
  const std::string& path = disk.path();
  const uint64_t pt = map.program_table_pointer.blockno;
  if (index >= map.program_entries.size())
    return fail(ErrorCode::kUsage,
                fmt::format("loadparm {} is not a program table entry (0..{})", index, map.program_entries.size() - 1));
  const uint64_t ct = map.program_entries[index].blockno;
  if (ct == 0)
    return fail(ErrorCode::kBadInput,
                fmt::format("program table entry {} is empty (loadparm {} selects nothing)", index, index),
                Location::at_block(path, pt));
  if (ct >= disk.block_count())
    return fail(ErrorCode::kBadInput,
                fmt::format("program table entry {} points to block {}, past the end of the image ({} blocks)", index,
                            ct, disk.block_count()),
                Location::at_block(path, pt));
  auto table = disk.read_blocks(ct, 1);
  if (!table) return tl::unexpected(table.error());
  const Reader rt = block_reader(disk, *table, ct);
  auto magic = has_magic(rt, zipl::component_header::kMagic);
  if (!magic) return tl::unexpected(magic.error());
  if (!*magic)
    return fail(ErrorCode::kBadInput, fmt::format("component table of program {} has no zIPL magic", index),
                Location::at_block(path, ct));
  auto header_type = rt.u8_at(zipl::component_header::kType, "component header type");
  if (!header_type) return tl::unexpected(header_type.error());
  Program prog;
  prog.index = index;
  prog.component_table = ct;
  prog.header_type = *header_type;
  Walker walker(disk, limits, index);
  const size_t max_entries =
      std::min(zipl::component_entry::kMaxEntries,
               (table->size() - zipl::component_header::kLength) / zipl::component_entry::kLength);
  for (size_t i = 0; i < max_entries; ++i) {
    namespace ce = zipl::component_entry;
    auto entry = rt.fixed_at<ce::kLength>(ce::entry_offset(i), "component table entry");
    if (!entry) return tl::unexpected(entry.error());
    const uint8_t type = entry->u8<ce::kType>();
    Component c;
    c.index = static_cast<unsigned>(i);
    if (type == zipl::component_entry::kTypeExec) {
      c.type = ComponentType::kExec;
      c.address = entry->u64_be<ce::kCompdat>();
      prog.components.push_back(std::move(c));
      return prog;
    }
    if (type != zipl::component_entry::kTypeLoad && type != zipl::component_entry::kTypeSignature)
      return fail(ErrorCode::kBadInput, fmt::format("component table entry {} has unknown type 0x{:02x}", i, type),
                  Location::at_block(path, ct));
    c.type = static_cast<ComponentType>(type);
    c.segment_table = entry->u64_be<ce::kData + zipl::blockptr::kBlockNo>();
    if (c.segment_table == 0)
      return fail(ErrorCode::kBadInput,
                  fmt::format("component table entry {} ({}) has no segment table (block number 0)", i,
                              component_type_name(c.type)),
                  Location::at_block(path, ct));
    if (c.type == ComponentType::kLoad) c.address = entry->u64_be<ce::kCompdat>();
    if (auto s = walker.load(c, c.segment_table, ct); !s) return tl::unexpected(s.error());
    if (c.type == ComponentType::kSignature) {
      ComponentSignature sig;
      sig.format = entry->u8<ce::kSigFormat>();
      sig.length = entry->u32_be<ce::kSigLength>();
      if (c.length > 4096)
        return fail(ErrorCode::kBadInput,
                    fmt::format("SIGNATURE entry {} loads {} bytes, more than the BIOS's 4096-byte signature buffer", i,
                                c.length),
                    Location::at_block(path, ct));
      if (sig.length > c.length)
        return fail(ErrorCode::kBadInput,
                    fmt::format("SIGNATURE entry {}: sig_len {} is longer than the {} bytes its blocks hold", i,
                                sig.length, c.length),
                    Location::at_block(path, ct));
      auto sig_bytes = c.bytes.slice(0, sig.length);
      if (!sig_bytes) return tl::unexpected(sig_bytes.error());
      sig.bytes = std::move(*sig_bytes);
      c.signature = std::move(sig);
    }
    prog.loaded_bytes += c.length;
    prog.components.push_back(std::move(c));
  }
  return fail(ErrorCode::kBadInput, fmt::format("component table has no EXEC entry in its {} entries", max_entries),
              Location::at_block(path, ct));
}

}  // namespace sipl::fw
