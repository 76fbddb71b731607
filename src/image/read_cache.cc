// A read cache over an image backend, for callers that walk one disk for many guests
// (sipl audit): the bytes are read from the file once, in aligned chunks, and kept until a
// budget is spent. Chunks are filled under one mutex per cache; a reader waiting for a chunk
// another thread is filling blocks, so no chunk is read twice.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "sipl/image/disk_image.h"

namespace sipl::image {
namespace {

constexpr uint64_t kChunk = 256 << 10;  // the size DIAG 0x508 hashes in

class CachedBackend final : public ImageBackend {
 public:
  CachedBackend(std::shared_ptr<const ImageBackend> inner, uint64_t max_bytes)
      : inner_(std::move(inner)), max_bytes_(max_bytes) {}
  uint64_t size() const override { return inner_->size(); }
  bool reads_cannot_fail() const override { return inner_->reads_cannot_fail(); }
  uint64_t bytes_read() const { return bytes_read_.load(); }

  Status read(uint64_t offset, MutableByteSpan out) const override {
    size_t done = 0;
    while (done < out.size()) {
      const uint64_t pos = offset + done;
      const uint64_t index = pos / kChunk;
      const uint64_t within = pos - index * kChunk;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk - within, out.size() - done));
      auto chunk = get(index);
      if (!chunk) return tl::unexpected(chunk.error());
      if (*chunk == nullptr) {  // over budget: straight from the backend
        bytes_read_ += n;
        if (auto s = inner_->read(pos, out.subspan(done, n)); !s) return s;
      } else {
        std::memcpy(out.data() + done, (*chunk)->data() + within, n);
      }
      done += n;
    }
    return {};
  }

 private:
  // Returns the chunk (read now if needed), or nullptr when the budget is spent.
  Result<const Bytes*> get(uint64_t index) const {
    std::lock_guard lock(mu_);
    if (auto it = chunks_.find(index); it != chunks_.end()) return &it->second;
    const uint64_t start = index * kChunk;
    const uint64_t len = std::min<uint64_t>(kChunk, inner_->size() - start);
    if (held_ + len > max_bytes_) return static_cast<const Bytes*>(nullptr);
    Bytes b(static_cast<size_t>(len));
    bytes_read_ += len;
    if (auto s = inner_->read(start, b); !s) return tl::unexpected(s.error());
    held_ += len;
    return &chunks_.emplace(index, std::move(b)).first->second;  // node-based: stable address
  }

  std::shared_ptr<const ImageBackend> inner_;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
  mutable std::unordered_map<uint64_t, Bytes> chunks_;
  mutable uint64_t held_ = 0;
  mutable std::atomic<uint64_t> bytes_read_{0};
};

}  // namespace

DiskImage DiskImage::with_read_cache(uint64_t max_bytes) const {
  return DiskImage(path_, format_, block_size_,
                   std::shared_ptr<const ImageBackend>(std::make_shared<CachedBackend>(backend_, max_bytes)));
}

uint64_t DiskImage::bytes_read_from_backend() const {
  auto c = std::dynamic_pointer_cast<const CachedBackend>(backend_);
  return c ? c->bytes_read() : 0;
}

}  // namespace sipl::image
