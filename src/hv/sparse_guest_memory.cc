#include "sipl/hv/sparse_guest_memory.h"

#include <algorithm>
#include <cstring>

namespace sipl::hv {

bool SparseGuestMemory::accessible(uint64_t addr, uint64_t len) const {
  return addr <= size_ && len <= size_ - addr;
}

bool SparseGuestMemory::read(uint64_t addr, MutableByteSpan out) const {
  if (!accessible(addr, out.size())) return false;
  uint64_t done = 0;
  while (done < out.size()) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, out.size() - done);
    auto it = pages_.find(page);
    if (it == pages_.end()) std::memset(out.data() + done, 0, n);
    else std::memcpy(out.data() + done, it->second.data() + off, n);
    done += n;
  }
  return true;
}

bool SparseGuestMemory::write(uint64_t addr, ByteSpan data) {
  if (!accessible(addr, data.size())) return false;
  uint64_t done = 0;
  while (done < data.size()) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, data.size() - done);
    auto& p = pages_[page];
    if (p.empty() && n == kPage) {
      p.assign(data.begin() + static_cast<ptrdiff_t>(done), data.begin() + static_cast<ptrdiff_t>(done + n));
    } else {
      if (p.empty()) p.resize(kPage);
      std::memcpy(p.data() + off, data.data() + done, n);
    }
    done += n;
  }
  return true;
}

bool SparseGuestMemory::visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const {
  if (!accessible(addr, len)) return false;
  static const Bytes zeros(kPage);
  uint64_t done = 0;
  while (done < len) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, len - done);
    auto it = pages_.find(page);
    const Bytes& src = it == pages_.end() ? zeros : it->second;
    fn(ByteSpan(src).subspan(static_cast<size_t>(off), static_cast<size_t>(n)));
    done += n;
  }
  return true;
}

Bytes SparseGuestMemory::read_bytes(uint64_t addr, uint64_t len) const {
  if (!accessible(addr, len)) return {};
  Bytes b(len);
  read(addr, b);
  return b;
}

}  // namespace sipl::hv
