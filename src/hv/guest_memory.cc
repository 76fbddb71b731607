#include "sipl/hv/guest_memory.h"

#include <algorithm>

namespace sipl::hv {

bool GuestMemory::do_visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const {
  if (!accessible(addr, len)) return false;
  Bytes buf(static_cast<size_t>(std::min<uint64_t>(len, 1 << 20)));
  for (uint64_t done = 0; done < len;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), len - done));
    if (!read(addr + done, MutableByteSpan(buf).first(n))) return false;
    fn(ByteSpan(buf).first(n));
    done += n;
  }
  return true;
}

bool GuestMemory::do_load(uint64_t addr, const SourceRange& data) {
  if (!accessible(addr, data.length)) return false;
  uint64_t at = addr;
  bool ok = true;
  auto s = stream(data, [&](ByteSpan piece) {
    ok = ok && write(at, piece);
    at += piece.size();
  });
  if (!s) return keep(s.error());
  return ok;
}

bool FlatGuestMemory::do_visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const {
  if (!accessible(addr, len)) return false;
  if (len > 0) fn(ByteSpan(mem_).subspan(static_cast<size_t>(addr), static_cast<size_t>(len)));
  return true;
}

bool FlatGuestMemory::accessible(uint64_t addr, uint64_t len) const {
  return addr <= mem_.size() && len <= mem_.size() - addr;
}

bool FlatGuestMemory::do_read(uint64_t addr, MutableByteSpan out) const {
  if (!accessible(addr, out.size())) return false;
  std::copy_n(mem_.begin() + static_cast<ptrdiff_t>(addr), out.size(), out.begin());
  return true;
}

bool FlatGuestMemory::do_write(uint64_t addr, ByteSpan data) {
  if (!accessible(addr, data.size())) return false;
  std::copy(data.begin(), data.end(), mem_.begin() + static_cast<ptrdiff_t>(addr));
  return true;
}

}  // namespace sipl::hv
