// Writing a zipl SCSI-scheme boot disk into an image file as `sipl mkdisk` does: the layout
// planned (bootmap_writer.h) from the input files' trailers, placed after `offset`, the image
// created just big enough (raw or qcow2) or updated in place (raw), refusing to write over
// data or a DOS partition unless forced, and written atomically (or not at all for a dry run).
// The component bytes go from the input files to the image by copy_file_range or in bounded
// pieces: memory use does not grow with the disk.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/file.h"
#include "sipl/base/result.h"
#include "sipl/image/bootmap_writer.h"
#include "sipl/image/disk_image.h"

namespace sipl::image {

// One boot entry, by file names.
struct DiskEntryRequest {
  std::string name;
  std::string kernel;
  std::string initrd;                   // empty: none
  std::optional<std::string> parmline;
};

struct DiskRequest {
  std::string output;                   // the image to create, or to update when it exists (raw)
  ImageFormat format = ImageFormat::kRaw;  // of a new image; qcow2 images are only created
  std::string stage3;
  std::vector<DiskEntryRequest> entries;  // [0] is the default
  SecureMode secure = SecureMode::kAuto;
  uint32_t block_size = 512;
  std::optional<uint64_t> size;         // image size in bytes; default: the existing size, or
                                        // just big enough rounded up to 1 MiB
  std::optional<uint64_t> offset;       // byte offset of the first block the layout may use; default block 1
  bool force = false;                   // write over data and partitions; write a block device in place
  bool dry_run = false;                 // plan and check, write nothing
  // The blocks of a zipl layout already on an existing output (fw::zipl_layout_blocks: an
  // earlier mkdisk or zipl run, before a kernel update); they are not data: the new layout
  // replaces them and they are cleared first. Unset: nothing on the disk is a layout. A layout
  // that overlaps a DOS partition (zipl's bootmap file in a file system) is never replaced.
  std::function<std::vector<BlockRange>(const DiskImage&)> existing_layout;
};

struct [[nodiscard]] DiskWriteResult {
  std::string disk;
  uint64_t size = 0;
  bool updated_existing = false;
  bool dry_run = false;
  ImageFormat format = ImageFormat::kRaw;
  SecureMode secure = SecureMode::kAuto;
  Bootmap bootmap;  // its ranges keep the input files open
};

// Returns the layout written (or, for a dry run, that would be). An existing image file is
// updated through a copy renamed into place; a block device (only with `force`) in place.
// Errors: kUsage for impossible requests (no entry, a bad block size, offset or size, a size
// change of a block device, a layout over data or a partition, a layout that does not fit),
// kUnsupported when the output is a directory or special file, a block device without
// `force`, or an existing image that would have to be updated as qcow2 (not supported yet:
// qcow2 images are written new), kIo when an input cannot be read or the image cannot be
// written, and build_bootmap's.
Result<DiskWriteResult> write_boot_disk(const DiskRequest& request);

}  // namespace sipl::image
