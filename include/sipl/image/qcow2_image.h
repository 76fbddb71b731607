// Writing a new qcow2 v3 image directly (no qemu-img at run time): the clusters the writes touch
// are allocated, in guest order, after the metadata; everything else reads as zero. The result is
// what `qemu-img check` calls clean (no errors, no leaks) and what `qemu-img compare` finds
// identical to a raw image with the same writes. Layout facts: QEMU's docs/interop/qcow2.txt.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sipl/base/result.h"
#include "sipl/image/raw_image.h"

namespace sipl::image {

// Where write_qcow2_atomic puts things, in clusters of the file (for tests and messages).
struct Qcow2Layout {
  uint32_t cluster_bits = 16;
  uint64_t refcount_table = 1;  // first cluster of the refcount table
  uint64_t refcount_table_clusters = 1;
  uint64_t l1_table = 2;  // first cluster of the L1 table
  uint64_t l1_entries = 0;
  uint64_t refcount_blocks = 0;  // how many, from l1_table + L1 clusters on
  uint64_t l2_tables = 0;        // how many, after the refcount blocks
  uint64_t data_clusters = 0;    // how many, after the L2 tables
  uint64_t file_clusters = 0;    // the whole file
};

// Returns the layout of a `size`-byte image holding `writes` (their zero padding allocates
// nothing), or kUsage when cluster_bits is outside 9..21, kInternal when a write does not fit.
Result<Qcow2Layout> plan_qcow2(uint64_t size, const std::vector<ImageWrite>& writes, uint32_t cluster_bits = 16);

// Writes a new `size`-byte qcow2 v3 image (zlib, 16-bit refcounts, `cluster_bits` clusters)
// holding `writes` at `path` atomically: temporary file, fsync, rename. The writes' bytes go from
// their sources by copy_file_range or in pieces of at most 1 MiB, and the metadata one cluster at
// a time, so memory does not grow with the image. An existing `path` is replaced.
Status write_qcow2_atomic(const std::string& path, uint64_t size, const std::vector<ImageWrite>& writes,
                          uint32_t cluster_bits = 16);

}  // namespace sipl::image
