// Opening a zipl boot disk at the block size it was written for. zipl records the device block
// size in the size field of the boot record's program table pointer; the s390-ccw BIOS reads
// the disk in that unit, and so do `sipl inspect` and the boot engine (fw), through this.
#pragma once

#include <cstdint>
#include <string>

#include "sipl/base/result.h"
#include "sipl/image/disk_image.h"

namespace sipl::image {

// Returns the block size the boot record of `disk` names: 4096 when its program table pointer
// says 4096, else 512 (also for a disk too short to hold a boot record).
uint32_t boot_record_block_size(const DiskImage& disk);

// Returns the image at `path` opened with `block_size`, or, when it is 0, with the block size
// its boot record names. Errors as DiskImage::open.
Result<DiskImage> open_boot_disk(const std::string& path, uint32_t block_size = 0);

}  // namespace sipl::image
