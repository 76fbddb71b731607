#include "sipl/base/byte_source.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace sipl {

Status OwnedBytesSource::read(uint64_t offset, MutableByteSpan out) const {
  if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
    return fail(ErrorCode::kInternal, fmt::format("read of {} bytes at {} is outside a {}-byte buffer", out.size(),
                                                  offset, bytes_.size()));
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return {};
}

SourceRange own(Bytes bytes) {
  const uint64_t n = bytes.size();
  return {std::make_shared<const OwnedBytesSource>(std::move(bytes)), 0, n};
}

Result<Bytes> read_all(const SourceRange& range) {
  Bytes out(static_cast<size_t>(range.length));
  if (auto s = range.source->read(range.offset, out); !s) return tl::unexpected(s.error());
  return out;
}

Status stream(const SourceRange& range, const std::function<void(ByteSpan)>& fn, size_t chunk) {
  if (range.length == 0) return {};
  Bytes buf(static_cast<size_t>(std::min<uint64_t>(range.length, chunk)));
  for (uint64_t done = 0; done < range.length;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), range.length - done));
    const MutableByteSpan piece = MutableByteSpan(buf).first(n);
    if (auto s = range.source->read(range.offset + done, piece); !s) return s;
    fn(piece);
    done += n;
  }
  return {};
}

}  // namespace sipl
