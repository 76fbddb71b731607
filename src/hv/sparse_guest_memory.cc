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

std::byte* SparseGuestMemory::writable(uint64_t page) {
  Page& p = pages_[page];
  if (p.external) {
    p.owned.assign(p.external, p.external + kPage);
    p.external = nullptr;
    p.owner.reset();
  } else if (p.owned.empty()) {
    p.owned.resize(kPage);
  }
  return p.owned.data();
}

void SparseGuestMemory::copy_in(uint64_t addr, ByteSpan data) {
  uint64_t done = 0;
  while (done < data.size()) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, data.size() - done);
    if (n == kPage) {  // a whole page: replace it, no zero-fill first
      Page& p = pages_[page];
      p.external = nullptr;
      p.owner.reset();
      p.owned.assign(data.begin() + static_cast<ptrdiff_t>(done), data.begin() + static_cast<ptrdiff_t>(done + n));
    } else {
      std::memcpy(writable(page) + off, data.data() + done, n);
    }
    done += n;
  }
}

bool SparseGuestMemory::write(uint64_t addr, ByteSpan data) {
  if (!accessible(addr, data.size())) return false;
  copy_in(addr, data);
  return true;
}

bool SparseGuestMemory::load(uint64_t addr, const SharedView& data) {
  if (!accessible(addr, data.span.size())) return false;
  uint64_t done = 0;
  while (done < data.span.size()) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, data.span.size() - done);
    if (n == kPage) {  // the page lies wholly inside the loaded bytes: refer to them
      Page& p = pages_[page];
      p.owned = Bytes();
      p.external = data.span.data() + done;
      p.owner = data.owner;
    } else {
      std::memcpy(writable(page) + off, data.span.data() + done, n);
    }
    done += n;
  }
  return true;
}

bool SparseGuestMemory::visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const {
  if (!accessible(addr, len)) return false;
  static const Bytes zeros(kPage);
  // Consecutive pages that refer to consecutive host bytes (a kernel loaded from one mapped
  // extent) are handed over as one span, so the hash sees the component in a few calls.
  const std::byte* run = nullptr;
  size_t run_len = 0;
  uint64_t done = 0;
  while (done < len) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, len - done);
    auto it = pages_.find(page);
    const std::byte* src = (it == pages_.end() ? zeros.data() : it->second.data()) + off;
    if (run && run + run_len == src) {
      run_len += n;
    } else {
      if (run) fn(ByteSpan(run, run_len));
      run = src;
      run_len = n;
    }
    done += n;
  }
  if (run) fn(ByteSpan(run, run_len));
  return true;
}

Bytes SparseGuestMemory::read_bytes(uint64_t addr, uint64_t len) const {
  if (!accessible(addr, len)) return {};
  Bytes b(len);
  read(addr, b);
  return b;
}

}  // namespace sipl::hv
