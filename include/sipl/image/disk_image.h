// Read-only random access to a guest disk image: raw files (memory-mapped) and qcow2 v2/v3
// (L1/L2 tables, zlib-compressed clusters, backing files, unallocated clusters read as zeros).
// The firmware side (fw/boot_record) reads the disk only through this, in logical blocks of
// 512 or 4096 bytes, the two sizes a SCSI/NVMe boot disk may have.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::image {

enum class ImageFormat { kRaw, kQcow2 };

// Returns "raw" or "qcow2".
const char* format_name(ImageFormat f);

// The backend interface (raw mapping, qcow2); implementation detail of DiskImage.
class ImageBackend {
 public:
  virtual ~ImageBackend() = default;
  // Returns the virtual disk size in bytes.
  virtual uint64_t size() const = 0;
  // Fills `out` with the bytes at `offset` (caller checked the range against size()).
  virtual Status read(uint64_t offset, MutableByteSpan out) const = 0;
  // Returns the bytes at [offset, offset+len) in place when the backend holds them as one
  // contiguous mapping (raw images), or nothing (qcow2: clusters must be decoded).
  virtual std::optional<ByteSpan> view(uint64_t /*offset*/, uint64_t /*len*/) const { return std::nullopt; }
};

class DiskImage {
 public:
  // Bounds on a qcow2 backing chain, counted from the opened image (0 = no backing file).
  static constexpr unsigned kMaxBackingDepth = 16;

  // Returns the image at `path`, detecting qcow2 by its magic (anything else is raw).
  // kBadInput/kUnsupported name the file and the header field or byte offset at fault;
  // kUsage when block_size is not 512 or 4096.
  static Result<DiskImage> open(const std::string& path, uint32_t block_size = 512);
  // Returns a raw image over `bytes` (not copied: they must outlive the image); `name` is
  // used in messages. For fuzzers and tests.
  static Result<DiskImage> from_memory(ByteSpan bytes, uint32_t block_size, std::string name);

  DiskImage(DiskImage&&) noexcept = default;
  DiskImage& operator=(DiskImage&&) noexcept = default;
  ~DiskImage();

  // Returns the path or name given at open.
  const std::string& path() const { return path_; }
  // Returns the detected format.
  ImageFormat format() const { return format_; }
  // Returns the logical block size (512 or 4096).
  uint32_t block_size() const { return block_size_; }
  // Returns the virtual size in bytes.
  uint64_t size() const;
  // Returns the number of whole logical blocks (a partial last block is not addressable).
  uint64_t block_count() const { return size() / block_size_; }

  // Reads out.size() bytes at byte `offset`; kBadInput (naming the offset) past the end.
  Status read(uint64_t offset, MutableByteSpan out) const;
  // Returns `count` blocks from block `block`; kBadInput naming the block past the end.
  Result<Bytes> read_blocks(uint64_t block, uint64_t count) const;
  // Returns [offset, offset+len) without copying when the image is raw: a view into the
  // mapping that keeps it alive even after this DiskImage is gone. Nothing for qcow2 images
  // and ranges past the end; callers then read() into their own buffer.
  std::optional<SharedView> view(uint64_t offset, uint64_t len) const;

 private:
  DiskImage(std::string path, ImageFormat f, uint32_t bs, std::unique_ptr<ImageBackend> b);
  friend Result<DiskImage> open_image_at_depth(const std::string& path, uint32_t block_size, unsigned depth,
                                               const std::string& format);

  std::string path_;
  ImageFormat format_ = ImageFormat::kRaw;
  uint32_t block_size_ = 512;
  std::shared_ptr<const ImageBackend> backend_;  // shared with the views handed out
};

// Returns the image at `path` as the `depth`-th element of a qcow2 backing chain (0 = top),
// in `format` ("raw", "qcow2", or "" to detect by magic as a qcow2 without a format extension).
Result<DiskImage> open_image_at_depth(const std::string& path, uint32_t block_size, unsigned depth,
                                      const std::string& format);

}  // namespace sipl::image
