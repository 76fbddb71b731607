// A guest of `size` bytes whose storage is allocated only where written (64 KiB pages), so a
// simulated boot of a 1 GiB guest costs what its components and BIOS blocks occupy. Pages
// that load() fills whole refer to the loaded bytes (a mapped disk image) instead of copying
// them; a later write to such a page copies it first (copy on write).
#pragma once

#include <cstdint>
#include <map>

#include "sipl/base/bytes.h"
#include "sipl/hv/guest_memory.h"

namespace sipl::hv {

class SparseGuestMemory final : public GuestMemory {
 public:
  explicit SparseGuestMemory(uint64_t size) : size_(size) {}
  bool read(uint64_t addr, MutableByteSpan out) const override;
  bool write(uint64_t addr, ByteSpan data) override;
  bool load(uint64_t addr, const SharedView& data) override;
  bool accessible(uint64_t addr, uint64_t len) const override;
  bool visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const override;
  // Returns the guest size in bytes.
  uint64_t size() const { return size_; }
  // Returns the bytes of [addr, addr+len) (zeros where never written; empty if inaccessible).
  Bytes read_bytes(uint64_t addr, uint64_t len) const;

 private:
  static constexpr uint64_t kPage = 64 * 1024;
  // A page is either kPage owned bytes or a reference to kPage bytes someone else owns.
  struct Page {
    Bytes owned;
    const std::byte* external = nullptr;
    std::shared_ptr<const void> owner;  // keeps `external` alive
    const std::byte* data() const { return external ? external : owned.data(); }
  };
  // Returns page `page`'s bytes for writing: allocated (zeros) or copied from its reference.
  std::byte* writable(uint64_t page);
  // Copies data into [addr, addr+size) page by page (the range is accessible).
  void copy_in(uint64_t addr, ByteSpan data);

  uint64_t size_;
  std::map<uint64_t, Page> pages_;  // page number -> page
};

}  // namespace sipl::hv
