// qcow2 reader (QEMU Copy-On-Write image format, versions 2 and 3): private to src/image.
#pragma once

#include <memory>

#include "sipl/base/file_source.h"
#include "sipl/image/disk_image.h"

namespace sipl::image {

// Returns true when `bytes` start with the qcow2 magic "QFI\xfb".
bool looks_like_qcow2(ByteSpan bytes);

// Returns a backend reading the qcow2 image in `file`, `depth` levels below the opened image
// (its backing file, if any, is opened at depth + 1, up to DiskImage::kMaxBackingDepth).
// Memory stays bounded whatever the image's size: tables and clusters are read with pread
// into a cache of at most kQcow2TableCacheBytes (and one cluster of each kind being read).
Result<std::unique_ptr<ImageBackend>> open_qcow2(std::shared_ptr<const FileSource> file, unsigned depth);

inline constexpr size_t kQcow2TableCacheBytes = 4 << 20;

}  // namespace sipl::image
