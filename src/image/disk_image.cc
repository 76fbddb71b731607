// Raw images and the DiskImage front end; qcow2 lives in qcow2.cc.
#include "sipl/image/disk_image.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "image/qcow2.h"
#include "sipl/base/file_source.h"

namespace sipl::image {
namespace {

// A raw image: a file (read with pread, never mapped: docs/PERFORMANCE.md) or caller memory
// (borrowed).
class RawBackend final : public ImageBackend {
 public:
  explicit RawBackend(std::shared_ptr<const FileSource> f) : file_(std::move(f)), size_(file_->size()) {}
  explicit RawBackend(ByteSpan b) : bytes_(b), size_(b.size()) {}
  uint64_t size() const override { return size_; }
  bool reads_cannot_fail() const override { return true; }
  Status check(uint64_t, uint64_t) const override { return {}; }
  Status read(uint64_t offset, MutableByteSpan out) const override {
    if (file_) return file_->read(offset, out);
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return {};
  }

 private:
  std::shared_ptr<const FileSource> file_;
  ByteSpan bytes_;
  uint64_t size_ = 0;
};

Status check_block_size(uint32_t block_size) {
  if (block_size != 512 && block_size != 4096)
    return fail(ErrorCode::kUsage, fmt::format("block size {} is not 512 or 4096", block_size));
  return {};
}

}  // namespace

Status ImageBackend::check(uint64_t offset, uint64_t length) const {
  std::shared_ptr<const ImageBackend> self(std::shared_ptr<const ImageBackend>{}, this);  // not owned
  return stream({self, offset, length}, [](ByteSpan) {});
}

const char* format_name(ImageFormat f) { return f == ImageFormat::kQcow2 ? "qcow2" : "raw"; }

DiskImage::~DiskImage() = default;

uint64_t DiskImage::size() const { return backend_->size(); }

Result<DiskImage> open_image_at_depth(const std::string& path, uint32_t block_size, unsigned depth,
                                      const std::string& format) {
  if (auto s = check_block_size(block_size); !s) return tl::unexpected(s.error());
  auto file = FileSource::open(path, FileKinds::kRegularOrBlockDevice);
  if (!file) return tl::unexpected(file.error());
  const uint32_t device_block_size = (*file)->logical_block_size();
  Bytes magic(static_cast<size_t>(std::min<uint64_t>((*file)->size(), 4)));
  if (auto s = (*file)->read(0, magic); !s) return tl::unexpected(s.error());
  auto image = [&]() -> Result<DiskImage> {
    if (format == "qcow2" || (format.empty() && looks_like_qcow2(magic))) {
      auto backend = open_qcow2(std::move(*file), depth);
      if (!backend) return tl::unexpected(backend.error());
      return DiskImage(path, ImageFormat::kQcow2, block_size, std::move(*backend));
    }
    return DiskImage(path, ImageFormat::kRaw, block_size, std::make_unique<RawBackend>(std::move(*file)));
  }();
  if (image) image->device_block_size_ = device_block_size;
  return image;
}

Result<DiskImage> DiskImage::open(const std::string& path, uint32_t block_size) {
  return open_image_at_depth(path, block_size, 0, "");
}

Result<DiskImage> DiskImage::from_memory(ByteSpan bytes, uint32_t block_size, std::string name) {
  if (auto s = check_block_size(block_size); !s) return tl::unexpected(s.error());
  return DiskImage(std::move(name), ImageFormat::kRaw, block_size, std::make_unique<RawBackend>(bytes));
}

Status DiskImage::read(uint64_t offset, MutableByteSpan out) const {
  const uint64_t sz = size();
  if (offset > sz || out.size() > sz - offset)
    return fail(ErrorCode::kBadInput,
                fmt::format("read of {} bytes at byte {} is past the end of the {}-byte image", out.size(), offset, sz),
                Location::at_offset(path_, offset));
  if (out.empty()) return {};
  return backend_->read(offset, out);
}

Result<SourceRange> DiskImage::range(uint64_t offset, uint64_t len) const {
  const uint64_t sz = size();
  if (offset > sz || len > sz - offset)
    return fail(ErrorCode::kBadInput,
                fmt::format("range of {} bytes at byte {} is past the end of the {}-byte image", len, offset, sz),
                Location::at_offset(path_, offset));
  return SourceRange{backend_, offset, len};
}

Status DiskImage::check(uint64_t offset, uint64_t len) const {
  const uint64_t sz = size();
  if (offset > sz || len > sz - offset)
    return fail(ErrorCode::kBadInput,
                fmt::format("range of {} bytes at byte {} is past the end of the {}-byte image", len, offset, sz),
                Location::at_offset(path_, offset));
  return backend_->check(offset, len);
}

Result<Bytes> DiskImage::read_blocks(uint64_t block, uint64_t count) const {
  const uint64_t blocks = block_count();
  if (block >= blocks || count > blocks - block)
    return fail(ErrorCode::kBadInput,
                fmt::format("blocks {}..{} are past the end of the image ({} blocks of {} bytes)", block,
                            block + count - 1, blocks, block_size_),
                Location::at_block(path_, block));
  Bytes out(count * block_size_);
  if (auto s = backend_->read(block * block_size_, out); !s) return tl::unexpected(s.error());
  return out;
}

}  // namespace sipl::image
