// A guest of `size` bytes whose storage is allocated only where written (64 KiB pages), so a
// simulated boot of a 1 GiB guest costs what its components and BIOS blocks occupy.
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
  bool accessible(uint64_t addr, uint64_t len) const override;
  bool visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const override;
  // Returns the guest size in bytes.
  uint64_t size() const { return size_; }
  // Returns the bytes of [addr, addr+len) (zeros where never written; empty if inaccessible).
  Bytes read_bytes(uint64_t addr, uint64_t len) const;

 private:
  static constexpr uint64_t kPage = 64 * 1024;
  uint64_t size_;
  std::map<uint64_t, Bytes> pages_;  // page number -> kPage bytes
};

}  // namespace sipl::hv
