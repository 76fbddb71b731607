// A guest of `size` bytes whose storage is allocated only where written (64 KiB pages), so a
// simulated boot of a 1 GiB guest costs what its components and BIOS blocks occupy. Pages
// that load() fills whole refer to the loaded range of the disk image instead of holding a
// copy; they are read when visited (streamed in 256 KiB pieces) and copied in on a later write.
#pragma once

#include <cstdint>
#include <map>

#include "sipl/base/bytes.h"
#include "sipl/hv/guest_memory.h"

namespace sipl::hv {

class SparseGuestMemory final : public GuestMemory {
 public:
  explicit SparseGuestMemory(uint64_t size) : size_(size) {}
  [[nodiscard]] bool accessible(uint64_t addr, uint64_t len) const override;
  // Returns the guest size in bytes.
  uint64_t size() const { return size_; }
  // Returns the bytes of [addr, addr+len) (zeros where never written; empty if inaccessible).
  Bytes read_bytes(uint64_t addr, uint64_t len) const;

 private:
  static constexpr uint64_t kPage = 64 * 1024;
  // A page is either kPage owned bytes or kPage bytes of `source` at `source_offset`.
  struct Page {
    Bytes owned;
    std::shared_ptr<const ByteSource> source;
    uint64_t source_offset = 0;
  };
  bool do_read(uint64_t addr, MutableByteSpan out) const override;
  bool do_write(uint64_t addr, ByteSpan data) override;
  bool do_load(uint64_t addr, const SourceRange& data) override;
  bool do_visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const override;
  // Returns page `page`'s bytes for writing: allocated (zeros) or read in from its source;
  // nullptr when the source cannot be read.
  std::byte* writable(uint64_t page);

  uint64_t size_;
  std::map<uint64_t, Page> pages_;  // page number -> page
};

}  // namespace sipl::hv
