#include "sipl/base/bytes.h"

#include <cstdlib>

#include <fmt/format.h>

namespace sipl {

std::string to_hex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    auto v = std::to_integer<unsigned>(b);
    out.push_back(kDigits[v >> 4]);
    out.push_back(kDigits[v & 0xF]);
  }
  return out;
}

std::string hexdump(ByteSpan bytes) {
  std::string out;
  for (size_t off = 0; off < bytes.size(); off += 16) {
    out += fmt::format("{:08x}:", off);
    std::string ascii;
    for (size_t i = 0; i < 16; ++i) {
      if (i % 2 == 0) out += ' ';
      if (off + i < bytes.size()) {
        auto v = std::to_integer<unsigned>(bytes[off + i]);
        out += fmt::format("{:02x}", v);
        ascii.push_back(v >= 0x20 && v < 0x7f ? static_cast<char>(v) : '.');
      } else {
        out += "  ";
      }
    }
    out += "  " + ascii + "\n";
  }
  return out;
}

namespace {
void check(size_t size, size_t off, size_t width) {
  if (off > size || width > size - off) std::abort();
}
uint64_t load_be(ByteSpan b, size_t off, size_t width) {
  check(b.size(), off, width);
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | std::to_integer<uint64_t>(b[off + i]);
  return v;
}
void store_be(MutableByteSpan b, size_t off, size_t width, uint64_t v) {
  check(b.size(), off, width);
  for (size_t i = 0; i < width; ++i)
    b[off + width - 1 - i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}
}  // namespace

uint16_t load_u16_be(ByteSpan b, size_t off) { return static_cast<uint16_t>(load_be(b, off, 2)); }
uint32_t load_u32_be(ByteSpan b, size_t off) { return static_cast<uint32_t>(load_be(b, off, 4)); }
uint64_t load_u64_be(ByteSpan b, size_t off) { return load_be(b, off, 8); }
void store_u8(MutableByteSpan b, size_t off, uint8_t v) { store_be(b, off, 1, v); }
void store_u16_be(MutableByteSpan b, size_t off, uint16_t v) { store_be(b, off, 2, v); }
void store_u32_be(MutableByteSpan b, size_t off, uint32_t v) { store_be(b, off, 4, v); }
void store_u64_be(MutableByteSpan b, size_t off, uint64_t v) { store_be(b, off, 8, v); }
void store_bytes(MutableByteSpan b, size_t off, ByteSpan v) {
  check(b.size(), off, v.size());
  for (size_t i = 0; i < v.size(); ++i) b[off + i] = v[i];
}

void ByteWriter::u16_be(uint16_t v) {
  u8(static_cast<uint8_t>(v >> 8));
  u8(static_cast<uint8_t>(v));
}
void ByteWriter::u32_be(uint32_t v) {
  u16_be(static_cast<uint16_t>(v >> 16));
  u16_be(static_cast<uint16_t>(v));
}
void ByteWriter::u64_be(uint64_t v) {
  u32_be(static_cast<uint32_t>(v >> 32));
  u32_be(static_cast<uint32_t>(v));
}
void ByteWriter::align_to(size_t align) { zeros(round_up(buf_.size(), align) - buf_.size()); }

}  // namespace sipl
