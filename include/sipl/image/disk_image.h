// Read-only random access to a guest disk image: raw files (memory-mapped) and qcow2 v2/v3
// (L1/L2 tables, zlib-compressed clusters, backing files, unallocated clusters read as zeros).
// The firmware side (fw/boot_record) reads the disk only through this, in logical blocks of
// 512 or 4096 bytes, the two sizes a SCSI/NVMe boot disk may have.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sipl/base/byte_source.h"
#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::image {

// A run of blocks [first, end).
struct BlockRange {
  uint64_t first = 0;
  uint64_t end = 0;
  bool operator==(const BlockRange&) const = default;
};

enum class ImageFormat { kRaw, kQcow2 };

// Returns "raw" or "qcow2".
const char* format_name(ImageFormat f);

// The backend interface (raw file, qcow2); implementation detail of DiskImage. Its read()
// (ByteSource) fills `out` with the bytes at `offset`; the caller checked the range.
class ImageBackend : public ByteSource {
 public:
  // Returns the virtual disk size in bytes.
  virtual uint64_t size() const = 0;
  // True when a read inside the image can fail only on an I/O error (raw), false when the
  // bytes must be decoded and may be corrupt (qcow2).
  virtual bool reads_cannot_fail() const { return false; }
  // Returns the error a read of [offset, offset+length) would give other than an I/O error, or
  // success; the default reads the range in 256 KiB pieces. qcow2 checks its table entries
  // and inflates compressed clusters but reads no plain data cluster.
  virtual Status check(uint64_t offset, uint64_t length) const;
};

class DiskImage {
 public:
  // Bounds on a qcow2 backing chain, counted from the opened image (0 = no backing file).
  static constexpr unsigned kMaxBackingDepth = 16;

  // Returns the image at `path`, detecting qcow2 by its magic (anything else is raw). `path`
  // may be a block device (an LVM volume, a multipath LUN, a libvirt type='block' disk): it
  // is opened read-only. kBadInput/kUnsupported name the file and the header field or byte
  // offset at fault; kUsage when block_size is not 512 or 4096.
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
  // Returns the host device's logical block size (BLKSSZGET) when the image is a block
  // device, 0 for a file. (The guest sees QEMU's logical_block_size, 512 unless set.)
  uint32_t device_block_size() const { return device_block_size_; }
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
  // Returns [offset, offset+len) as a range read on demand (nothing is read now); it keeps
  // the image open even after this DiskImage is gone. kBadInput naming the offset past the end.
  Result<SourceRange> range(uint64_t offset, uint64_t len) const;
  // True when reading a range later can fail only on an I/O error (raw images), so readers
  // may defer reads; false for qcow2, whose clusters may be corrupt: check them up front.
  bool reads_cannot_fail() const { return backend_->reads_cannot_fail(); }
  // Returns the error reading [offset, offset+len) would give, short of an I/O error, without
  // reading more than it must (ImageBackend::check); kBadInput naming the offset past the end.
  Status check(uint64_t offset, uint64_t len) const;

  // Returns another handle on the same open image (backend and caches shared).
  DiskImage share() const { return DiskImage(path_, format_, block_size_, backend_); }
  // Returns a handle whose reads go through a cache of the bytes already read, shared by every
  // handle and range made from it and safe across threads: many guests walking one disk read
  // each byte from the file once. At most `max_bytes` are kept; reads beyond go to the file.
  DiskImage with_read_cache(uint64_t max_bytes) const;
  // Returns how many bytes the image's backend has read from its file (or the cache's
  // underlying backend; 0 for images without a read cache).
  uint64_t bytes_read_from_backend() const;

 private:
  DiskImage(std::string path, ImageFormat f, uint32_t bs, std::shared_ptr<const ImageBackend> b)
      : path_(std::move(path)), format_(f), block_size_(bs), backend_(std::move(b)) {}
  friend Result<DiskImage> open_image_at_depth(const std::string& path, uint32_t block_size, unsigned depth,
                                               const std::string& format);

  std::string path_;
  ImageFormat format_ = ImageFormat::kRaw;
  uint32_t block_size_ = 512;
  uint32_t device_block_size_ = 0;
  std::shared_ptr<const ImageBackend> backend_;  // shared with the ranges handed out
};

// Returns the image at `path` as the `depth`-th element of a qcow2 backing chain (0 = top),
// in `format` ("raw", "qcow2", or "" to detect by magic as a qcow2 without a format extension).
Result<DiskImage> open_image_at_depth(const std::string& path, uint32_t block_size, unsigned depth,
                                      const std::string& format);

}  // namespace sipl::image
