#include "sipl/hv/sparse_guest_memory.h"

#include <algorithm>
#include <cstring>

namespace sipl::hv {

bool SparseGuestMemory::accessible(uint64_t addr, uint64_t len) const {
  return addr <= size_ && len <= size_ - addr;
}

bool SparseGuestMemory::do_read(uint64_t addr, MutableByteSpan out) const {
  if (!accessible(addr, out.size())) return false;
  uint64_t done = 0;
  while (done < out.size()) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, out.size() - done);
    const MutableByteSpan dst = out.subspan(static_cast<size_t>(done), static_cast<size_t>(n));
    auto it = pages_.find(page);
    if (it == pages_.end()) std::memset(dst.data(), 0, n);
    else if (it->second.source) {
      if (auto st = it->second.source->read(it->second.source_offset + off, dst); !st) return keep(st.error());
    }
    else if (!it->second.source) std::memcpy(dst.data(), it->second.owned.data() + off, n);
    done += n;
  }
  return true;
}

std::byte* SparseGuestMemory::writable(uint64_t page) {
  Page& p = pages_[page];
  if (p.source) {
    Bytes b(kPage);
    if (auto st = p.source->read(p.source_offset, b); !st) {
      keep(st.error());
      return nullptr;
    }
    p.owned = std::move(b);
    p.source.reset();
  } else if (p.owned.empty()) {
    p.owned.resize(kPage);
  }
  return p.owned.data();
}

bool SparseGuestMemory::do_write(uint64_t addr, ByteSpan data) {
  if (!accessible(addr, data.size())) return false;
  uint64_t done = 0;
  while (done < data.size()) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, data.size() - done);
    if (n == kPage) {  // a whole page: replace it, no zero-fill or read-in first
      Page& p = pages_[page];
      p.source.reset();
      p.owned.assign(data.begin() + static_cast<ptrdiff_t>(done), data.begin() + static_cast<ptrdiff_t>(done + n));
    } else {
      std::byte* dst = writable(page);
      if (!dst) return false;  // only when a loaded disk range cannot be read any more
      std::memcpy(dst + off, data.data() + done, n);
    }
    done += n;
  }
  return true;
}

bool SparseGuestMemory::do_load(uint64_t addr, const SourceRange& data) {
  if (!accessible(addr, data.length)) return false;
  uint64_t done = 0;
  while (done < data.length) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, data.length - done);
    if (n == kPage) {  // the page lies wholly inside the loaded range: refer to it
      Page& p = pages_[page];
      p.owned = Bytes();
      p.source = data.source;
      p.source_offset = data.offset + done;
    } else {
      std::byte* dst = writable(page);
      if (!dst) return false;
      if (auto st = data.source->read(data.offset + done, MutableByteSpan(dst + off, n)); !st) return keep(st.error());
    }
    done += n;
  }
  return true;
}

bool SparseGuestMemory::do_visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const {
  if (!accessible(addr, len)) return false;
  static const Bytes zeros(kPage);
  // Consecutive pages that refer to consecutive bytes of one source (a kernel loaded from one
  // disk extent) are streamed as one range, so the hash reads the disk sequentially in 256 KiB
  // pieces; owned and never-written pages are handed over in place.
  SourceRange run;
  auto flush = [&]() {
    if (run.length == 0) return true;
    auto st = stream(run, fn);
    run = SourceRange{};
    return st ? true : keep(st.error());
  };
  uint64_t done = 0;
  while (done < len) {
    const uint64_t a = addr + done;
    const uint64_t page = a / kPage, off = a % kPage;
    const uint64_t n = std::min<uint64_t>(kPage - off, len - done);
    auto it = pages_.find(page);
    if (it != pages_.end() && it->second.source) {
      const Page& p = it->second;
      if (run.length != 0 && (run.source != p.source || run.offset + run.length != p.source_offset + off))
        if (!flush()) return false;
      if (run.length == 0) run = SourceRange{p.source, p.source_offset + off, 0};
      run.length += n;
    } else {
      if (!flush()) return false;
      const Bytes& src = it == pages_.end() ? zeros : it->second.owned;
      fn(ByteSpan(src).subspan(static_cast<size_t>(off), static_cast<size_t>(n)));
    }
    done += n;
  }
  return flush();
}

Bytes SparseGuestMemory::read_bytes(uint64_t addr, uint64_t len) const {
  if (!accessible(addr, len)) return {};
  Bytes b(len);
  if (!read(addr, b)) return {};
  return b;
}

}  // namespace sipl::hv
