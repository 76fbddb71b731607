// A deliberately separate, test-only decoder of zipl SCSI-scheme disks, written from the
// offsets in s390-tools zipl/include/bootmap.h, include/boot/boot_defs.h (literal numbers, not
// sipl's layout header), so tests can check what sipl writes — and real zipl disks — with code that
// shares nothing with sipl.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sipl::test {

// Returns the big-endian unsigned integer of `n` bytes at `off` of `s`.
uint64_t be(const std::string& s, size_t off, size_t n);

struct WalkedExtent {
  uint64_t block = 0, size = 0, blockct = 0;
};

struct WalkedComponent {
  uint8_t type = 0;      // 1 EXECUTE, 2 LOAD, 3 SIGNATURE
  uint64_t compdat = 0;  // big-endian u64 at entry offset 0x18
  std::string raw;       // the 32 raw entry bytes
  std::vector<WalkedExtent> extents;
  std::vector<uint64_t> tables;  // segment table blocks, head first
  std::string loaded;            // concatenated extents (block padded)
};

struct WalkedProgram {
  uint64_t table_block = 0;
  uint8_t header_type = 0xFF;
  std::vector<WalkedComponent> components;
};

struct WalkedDisk {
  std::string error;  // empty when the walk succeeded
  uint64_t program_table_block = 0;
  std::vector<uint64_t> program_entries;  // component table block per program table entry (0 = unused)
  std::vector<WalkedProgram> programs;    // for each non-zero program table entry, in entry order
};

// Returns the decoded chain MBR -> program table -> component tables -> segment tables.
WalkedDisk walk_zipl_disk(const std::string& image, uint32_t block_size);

// Returns the image bytes of a file (whole file).
std::string slurp(const std::string& path);

}  // namespace sipl::test
