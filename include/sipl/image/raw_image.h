// Raw disk images: checking that a range of blocks is free (all zero) and writing an image
// atomically (a sparse temporary copy in the same directory, patched, synced, renamed), so a
// failed or interrupted run never leaves a half-written disk behind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/byte_source.h"
#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::image {

// `length` bytes at `offset`: `data` followed by zeros up to `length` (length >= data.length).
struct ImageWrite {
  uint64_t offset = 0;
  SourceRange data;
  uint64_t length = 0;
};

// Returns the first block in [first_block, end_block) of the `image_size`-byte `image` that
// holds a non-zero byte, or nullopt when all are zero (blocks past the end count as zero).
// Reads the blocks in pieces of at most 1 MiB; errors are the image's read errors.
Result<std::optional<uint64_t>> first_used_block(const ByteSource& image, uint64_t image_size, uint32_t block_size,
                                                 uint64_t first_block, uint64_t end_block);

// A DOS (MBR) partition table entry, in bytes.
struct DosPartition {
  int number = 0;  // 1..4
  uint8_t type = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Returns the used primary partitions of the DOS partition table in the first 512 bytes of
// `image` (sectors of 512 bytes), or none when bytes 510..511 are not 0x55 0xAA.
std::vector<DosPartition> dos_partitions(ByteSpan image);

// Writes `writes` in place into the block device at `path` (zero padding included) and syncs
// it: a device cannot be replaced through a renamed copy, so only `sipl mkdisk --force` does
// this (see base/file.h inspect_disk_target). kUsage when a write runs past the device's end.
Status write_block_device_image(const std::string& path, const std::vector<ImageWrite>& writes);

// Writes the image at `path` atomically: a copy of `base` (an existing image's path; empty for
// an all-zero image) resized to `size` bytes, with `writes` applied in order, then fsync and
// rename. The copy takes only the data extents of `base` (SEEK_DATA: holes stay holes), with
// copy_file_range, so a reflink-capable filesystem shares them instead of writing them; the
// writes go from their sources the same way (write_range), never through a buffer larger
// than 1 MiB. A new image gets only the writes' data: its zero padding is the file's holes.
// Keeps the mode of an existing `path` (0644 for a new one).
Status write_image_atomic(const std::string& path, const std::string& base, uint64_t size,
                          const std::vector<ImageWrite>& writes);

}  // namespace sipl::image
