// The s390-ccw BIOS's walk of a zipl SCSI-scheme boot disk (s390-tools zipl/include/bootmap.h,
// include/boot/boot_defs.h, QEMU pc-bios/s390-ccw/bootmap.c zipl_run): block 0 (MBR, master boot
// record) -> program table -> one component table per boot program -> segment tables (extent lists)
// -> the component bytes. The walk yields every component table entry in table order WITH its
// loaded bytes, so both `sipl inspect` and the secure IPL engine read the disk exactly once and the
// same way. Hostile disks end in an Error naming the block (cycles, pointers past the end, absurd
// counts, no EXEC entry), never in a hang or unbounded memory.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/byte_source.h"
#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/image/disk_image.h"

namespace sipl::fw {

// A 16-byte linear block pointer: an extent of blockct + 1 blocks starting at blockno.
struct BlockPointer {
  uint64_t blockno = 0;
  uint16_t size = 0;
  uint16_t blockct = 0;
  // Returns the number of blocks the extent covers (blockct + 1).
  uint64_t blocks() const { return uint64_t{blockct} + 1; }
  bool operator==(const BlockPointer&) const = default;
};

// Component table entry types (zipl `component_type`, QEMU ZIPL_COMP_ENTRY_*).
enum class ComponentType : uint8_t { kExec = 0x01, kLoad = 0x02, kSignature = 0x03 };

// Returns "exec", "load" or "signature".
const char* component_type_name(ComponentType t);

// The signature header of a SIGNATURE entry and the DER blob cut from its loaded blocks.
struct ComponentSignature {
  uint8_t format = 0;   // 1 = DER PKCS#7
  uint32_t length = 0;  // sig_len from the entry
  Bytes bytes;          // the first `length` loaded bytes
};

// The loaded bytes of a component in load order, as ranges of the disk image read on demand
// (adjacent extents merge into one range): the walk reads no component data, so neither
// `sipl inspect` nor the boot ever holds a 256 MiB initrd in memory. Copies share the ranges;
// the image stays open as long as any range refers to it.
class ComponentData {
 public:
  // Returns the loaded length in bytes.
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Returns the ranges, in load order, that make up the bytes.
  const std::vector<SourceRange>& pieces() const { return pieces_; }
  // Appends `r`, merging it into the last range when it continues it in the same source.
  void append(SourceRange r);
  // Reads the bytes at [offset, offset+out.size()) into `out`; an Error when the range is
  // not inside the data or the image cannot be read.
  Status copy(uint64_t offset, MutableByteSpan out) const;
  // Returns the bytes at [offset, offset+len) as one buffer.
  Result<Bytes> slice(uint64_t offset, uint64_t len) const;
  // Returns the last min(n, size()) bytes as one buffer.
  Result<Bytes> tail(uint64_t n) const { return slice(size_ - std::min(n, size_), std::min(n, size_)); }
  // Returns every byte as one buffer: for small components and tests, not for kernels.
  Result<Bytes> to_bytes() const { return slice(0, size_); }

 private:
  std::vector<SourceRange> pieces_;
  uint64_t size_ = 0;
};

// One component table entry, in table order.
struct Component {
  ComponentType type = ComponentType::kExec;
  unsigned index = 0;                           // position in the component table (0-based)
  uint64_t address = 0;                         // LOAD: load address; EXEC: the 8-byte PSW; SIGNATURE: 0
  uint64_t length = 0;                          // loaded length: Σ block_size × (blockct + 1), whole blocks
  uint64_t segment_table = 0;                   // block of the first segment table (0 for EXEC)
  std::vector<uint64_t> segment_table_blocks;   // every segment-table block followed, in order
  std::vector<BlockPointer> extents;            // data extents in load order
  ComponentData bytes;                          // the loaded bytes (length bytes)
  std::optional<ComponentSignature> signature;  // SIGNATURE entries only
};

// The boot record (block 0) and the program table it points to.
struct BootMap {
  uint32_t block_size = 512;
  uint32_t version = 1;                // MBR version_id
  BlockPointer program_table_pointer;  // from the MBR
  // Component-table pointers of the program table, index 0..30 (entry 0 = default program).
  std::vector<BlockPointer> program_entries;
  // BIOS warnings met on the way, verbatim (e.g. zipl::mbr::kUnknownVersionWarning).
  std::vector<std::string> warnings;
  // Returns the indices of the non-empty program table entries.
  std::vector<unsigned> used_entries() const;
};

// One boot program: its component table and all entries, up to and including EXEC.
struct Program {
  unsigned index = 0;            // program table entry (the loadparm)
  uint64_t component_table = 0;  // block of the component table
  uint8_t header_type = 0;       // 0 IPL, 1 DUMP
  std::vector<Component> components;
  uint64_t loaded_bytes = 0;  // Σ length over all entries
  // Returns the EXEC entry (always the last component of a walked program).
  const Component& exec() const { return components.back(); }
};

struct WalkLimits {
  // Upper bound on the bytes one program may load in total (0 = automatic: the larger of the
  // 256 MiB DIAG 0x508 component limit and the image size, at most the 2 GiB zipl address
  // limit). A hostile disk can reference the same extent from many entries; this caps memory.
  uint64_t max_total_bytes = 0;
  // Upper bound on segment-table blocks followed for one program.
  uint64_t max_segment_tables = 65536;
};

// Returns the boot record and program table of `disk`. Errors (kBadInput, naming the block):
// no "zIPL" magic in block 0 or in the program table, a null or out-of-image program table
// pointer, an empty program table.
Result<BootMap> read_boot_map(const image::DiskImage& disk);

// Returns program `index` (0..30, as selected by the loadparm) with every component's bytes.
// Errors name the block at fault: an empty program table entry, a component table without
// "zIPL" magic or without an EXEC entry, an unknown entry type, a segment-table cycle, an
// extent past the end of the image or with a size other than the block size, a signature
// that is not DER or longer than its blocks, or more than the byte limit loaded.
Result<Program> load_program(const image::DiskImage& disk, const BootMap& map, unsigned index,
                             const WalkLimits& limits = {});

// A run of blocks [first, end).
using BlockRange = image::BlockRange;

// Returns the blocks the zipl layout of `disk` occupies besides block 0 (program table, every
// used program's component table, segment tables and extents), sorted and merged; empty when
// block 0 holds no zIPL boot record or a program cannot be walked (then nothing is known to
// belong to the layout).
std::vector<BlockRange> zipl_layout_blocks(const image::DiskImage& disk);

// Returns the program's effective byte bound for `disk` under `limits` (see WalkLimits).
uint64_t effective_byte_limit(const image::DiskImage& disk, const WalkLimits& limits);

}  // namespace sipl::fw
