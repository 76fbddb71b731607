#include "sipl/hv/guest_memory.h"

#include <algorithm>

namespace sipl::hv {

bool FlatGuestMemory::accessible(uint64_t addr, uint64_t len) const {
  return addr <= mem_.size() && len <= mem_.size() - addr;
}

bool FlatGuestMemory::read(uint64_t addr, MutableByteSpan out) const {
  if (!accessible(addr, out.size())) return false;
  std::copy_n(mem_.begin() + static_cast<ptrdiff_t>(addr), out.size(), out.begin());
  return true;
}

bool FlatGuestMemory::write(uint64_t addr, ByteSpan data) {
  if (!accessible(addr, data.size())) return false;
  std::copy(data.begin(), data.end(), mem_.begin() + static_cast<ptrdiff_t>(addr));
  return true;
}

}  // namespace sipl::hv
