// What guests share in an audit: certificate stores, open disks and predictions, each made
// once per key however many guests (on however many threads) ask for it. Files are keyed by
// canonical path and stat identity (device, inode, size, modification time), so two spellings
// of one file share, and a file replaced under the same name does not.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/image/disk_image.h"

namespace sipl::fleet::detail {

// A map whose values are made once, by the first thread that asks; later askers (also those
// that ask while it is being made) get the same value.
template <class V>
class OnceMap {
 public:
  template <class F>
  const V& get(const std::string& key, F make) {
    std::shared_ptr<Slot> s;
    {
      std::lock_guard lock(mu_);
      auto& p = slots_[key];
      if (!p) p = std::make_shared<Slot>();
      s = p;
    }
    std::call_once(s->once, [&] { s->value = make(); });
    return s->value;
  }
  // Returns the number of keys asked for.
  size_t size() const {
    std::lock_guard lock(mu_);
    return slots_.size();
  }
  // Calls `fn` with every value made so far (not while others are being made).
  template <class F>
  void for_each(F fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [k, s] : slots_) fn(s->value);
  }

 private:
  struct Slot {
    std::once_flag once;
    V value;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots_;
};

// Returns "canonical-path dev:ino:size:mtime" for an existing file or directory, or
// "?path" when it cannot be stat'ed (its use then fails with the usual message).
std::string file_identity(const std::string& path);

struct StoreBuild {
  std::shared_ptr<const hv::CertificateStore> store;  // null on error
  Findings warnings;                                  // QEMU's warnings while building
  std::optional<Error> error;
};

struct DiskOpen {
  std::optional<image::DiskImage> disk;
  std::optional<Error> error;
};

// The bytes each disk may keep in its read cache (beyond them, reads go to the file).
inline constexpr uint64_t kDiskCacheBytes = 256ull << 20;

class SharedWork {
 public:
  // Returns the store built from `paths` (once per identity of the ordered path list); `key`
  // receives that identity.
  const StoreBuild& store(const std::vector<std::string>& paths, std::string* key);
  // Returns the disk at `path`, opened once and read through a shared cache.
  const DiskOpen& disk(const std::string& path);
  // Returns the distinct stores built / disks opened so far, and the bytes read from disks.
  size_t stores_built() const { return stores_.size(); }
  size_t disks_opened() const { return disks_.size(); }
  uint64_t disk_bytes_read() const;

 private:
  OnceMap<StoreBuild> stores_;
  OnceMap<DiskOpen> disks_;
};

}  // namespace sipl::fleet::detail
