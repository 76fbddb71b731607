// Bounds-checked big-endian reader and writer over byte spans. All s390 formats are
// big-endian; every read checks `n > remaining()` first and advances only on success,
// so a length taken from input can never move the cursor past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipl {

using Bytes = std::vector<std::byte>;
using ByteSpan = std::span<const std::byte>;
using MutableByteSpan = std::span<std::byte>;

// Returns the bytes of a string (no copy): handy for text formats and tests.
inline ByteSpan as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
// Returns a copy of the bytes as a std::string (for printing magic values, names).
inline std::string to_string(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
// Returns `bytes` as lower-case hex without separators.
std::string to_hex(ByteSpan bytes);
// Returns a `xxd`-like dump: offset, 16 hex bytes, ASCII column.
std::string hexdump(ByteSpan bytes);

// Big-endian helpers on a fixed span, for formats written field by field at known offsets.
// Callers guarantee `off + width <= span.size()` (layout headers static_assert their sizes);
// violations abort rather than write out of bounds.
uint16_t load_u16_be(ByteSpan b, size_t off);
uint32_t load_u32_be(ByteSpan b, size_t off);
uint64_t load_u64_be(ByteSpan b, size_t off);
void store_u8(MutableByteSpan b, size_t off, uint8_t v);
void store_u16_be(MutableByteSpan b, size_t off, uint16_t v);
void store_u32_be(MutableByteSpan b, size_t off, uint32_t v);
void store_u64_be(MutableByteSpan b, size_t off, uint64_t v);
void store_bytes(MutableByteSpan b, size_t off, ByteSpan v);

// Appending writer, for building blocks whose size is not known in advance.
class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(std::byte{v}); }
  void u16_be(uint16_t v);
  void u32_be(uint32_t v);
  void u64_be(uint64_t v);
  void bytes(ByteSpan b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void zeros(size_t n) { buf_.insert(buf_.end(), n, std::byte{0}); }
  // Pads with zeros to a multiple of `align` (align > 0).
  void align_to(size_t align);
  size_t size() const { return buf_.size(); }
  const Bytes& data() const { return buf_; }
  Bytes take() { return std::move(buf_); }

 private:
  Bytes buf_;
};

// Returns v rounded up to a multiple of `align` (a power of two or any positive value).
constexpr uint64_t round_up(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

}  // namespace sipl
