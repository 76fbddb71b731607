// Reader: the one way sipl reads bytes it did not write (boot records, segment tables, qcow2
// headers and tables, appended signatures, SCLABs, DIAG blocks, IPL reports). In the spirit of
// BoringSSL's CBS and LLVM's BinaryStreamReader: a cursor over a span that knows where the span
// sits in the whole input (its absolute offset) and what the input is called, with child
// readers for regions bounded by a length field or a table. Every read returns a Result; a
// failed read leaves the cursor where it was and its Error (kBadInput) says what was being read,
// which region it ran out of, and the absolute byte offset (Location::at_offset). A child
// never reads its parent's bytes past its own end, so a length taken from input bounds every
// read inside it.
//
// Cost: the reads are inline and allocate nothing; the Error's strings are built only on
// failure (out of line). The reader does not own its bytes, its name or its region name:
// they must outlive it (a path held by the caller, a string literal).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl {

// A record of N bytes whose size a Reader has checked once (Reader::fixed): its fields are read
// at compile-time offsets, each checked against N by static_assert, so a fixed layout (a zipl
// block pointer, an SVB, a qcow2 header) costs one bounds check and cannot be read out of range.
template <size_t N>
class Fixed {
 public:
  explicit Fixed(const std::byte* p, uint64_t offset) : p_(p), offset_(offset) {}
  static constexpr size_t size() { return N; }
  // The absolute offset of the record's first byte in the input.
  uint64_t offset() const { return offset_; }
  ByteSpan data() const { return {p_, N}; }

  template <size_t Off>
  uint8_t u8() const {
    static_assert(Off + 1 <= N, "field past the end of the record");
    return std::to_integer<uint8_t>(p_[Off]);
  }
  template <size_t Off>
  uint16_t u16_be() const {
    static_assert(Off + 2 <= N, "field past the end of the record");
    return static_cast<uint16_t>(decode(Off, 2));
  }
  template <size_t Off>
  uint32_t u32_be() const {
    static_assert(Off + 4 <= N, "field past the end of the record");
    return static_cast<uint32_t>(decode(Off, 4));
  }
  template <size_t Off>
  uint64_t u64_be() const {
    static_assert(Off + 8 <= N, "field past the end of the record");
    return decode(Off, 8);
  }
  template <size_t Off, size_t Len>
  ByteSpan bytes() const {
    static_assert(Off + Len <= N, "field past the end of the record");
    return {p_ + Off, Len};
  }

 private:
  uint64_t decode(size_t off, size_t width) const {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v = (v << 8) | std::to_integer<uint64_t>(p_[off + i]);
    return v;
  }
  const std::byte* p_;
  uint64_t offset_;
};

// A record whose size the type already fixes (a block sipl copied out of guest memory into an
// array of the layout's size): no check is left to fail.
template <size_t N>
Fixed<N> fixed_view(const std::array<std::byte, N>& b, uint64_t offset = 0) {
  return Fixed<N>(b.data(), offset);
}

class Reader {
 public:
  // A reader over `data`, the whole input called `name` (a path, or what the bytes are, e.g.
  // "IPL report"); `base` is the absolute offset of data[0] in that input (a block read from
  // the middle of a disk image), `region` names the span in messages ("the input" if empty).
  explicit Reader(ByteSpan data, std::string_view name = {}, uint64_t base = 0, std::string_view region = {})
      : data_(data), name_(name), region_(region), base_(base) {}

  // The cursor, relative to this reader's first byte and absolute in the input.
  size_t pos() const { return pos_; }
  uint64_t offset() const { return base_ + pos_; }
  // The absolute offset of this reader's first byte.
  uint64_t base() const { return base_; }
  size_t size() const { return data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  ByteSpan data() const { return data_; }
  std::string_view name() const { return name_; }

  // Reads at the cursor and advances past what was read.
  Result<uint8_t> u8(std::string_view what) {
    if (remaining() < 1) return short_read(pos_, 1, what);
    return std::to_integer<uint8_t>(data_[pos_++]);
  }
  Result<uint16_t> u16_be(std::string_view what) { return take<uint16_t>(what); }
  Result<uint32_t> u32_be(std::string_view what) { return take<uint32_t>(what); }
  Result<uint64_t> u64_be(std::string_view what) { return take<uint64_t>(what); }
  Result<ByteSpan> bytes(size_t n, std::string_view what) {
    if (n > remaining()) return short_read(pos_, n, what);
    ByteSpan s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  Status skip(size_t n, std::string_view what) {
    if (n > remaining()) return short_read(pos_, n, what);
    pos_ += n;
    return {};
  }
  // Moves the cursor to `off` (relative to this reader; size() is allowed).
  Status seek(size_t off, std::string_view what) {
    if (off > data_.size()) return bad_seek(off, what);
    pos_ = off;
    return {};
  }

  // Reads at `off` (relative to this reader) without moving the cursor: for layouts with
  // fields at fixed offsets.
  Result<uint8_t> u8_at(size_t off, std::string_view what) const {
    if (!fits(off, 1)) return short_read(off, 1, what);
    return std::to_integer<uint8_t>(data_[off]);
  }
  Result<uint16_t> u16_be_at(size_t off, std::string_view what) const { return load<uint16_t>(off, what); }
  Result<uint32_t> u32_be_at(size_t off, std::string_view what) const { return load<uint32_t>(off, what); }
  Result<uint64_t> u64_be_at(size_t off, std::string_view what) const { return load<uint64_t>(off, what); }
  Result<ByteSpan> bytes_at(size_t off, size_t n, std::string_view what) const {
    if (!fits(off, n)) return short_read(off, n, what);
    return data_.subspan(off, n);
  }

  // The next N bytes as a fixed-layout record (the cursor moves past them), or N bytes at
  // `off` (relative to this reader; the cursor does not move).
  template <size_t N>
  Result<Fixed<N>> fixed(std::string_view what) {
    if (remaining() < N) return short_read(pos_, N, what);
    Fixed<N> f(data_.data() + pos_, base_ + pos_);
    pos_ += N;
    return f;
  }
  template <size_t N>
  Result<Fixed<N>> fixed_at(size_t off, std::string_view what) const {
    if (!fits(off, N)) return short_read(off, N, what);
    return Fixed<N>(data_.data() + off, base_ + off);
  }

  // A reader over the next `n` bytes (the cursor moves past them), called `region` in its
  // messages: a length-prefixed structure. Its reads stop at its own end.
  Result<Reader> child(size_t n, std::string_view region) {
    if (n > remaining()) return short_read(pos_, n, region);
    Reader c(data_.subspan(pos_, n), name_, base_ + pos_, region);
    pos_ += n;
    return c;
  }
  // A reader over `n` bytes at `off` (relative to this reader; the cursor does not move): a
  // table whose place and size come from a header.
  Result<Reader> child_at(size_t off, size_t n, std::string_view region) const {
    if (!fits(off, n)) return short_read(off, n, region);
    return Reader(data_.subspan(off, n), name_, base_ + off, region);
  }

  // Returns a kBadInput Error at `off` (relative to this reader), for a value the caller
  // rejects: it carries the same name and absolute offset as a failed read would.
  Error error_at(size_t off, std::string message) const;
  // The Location of `off` (relative to this reader) in the input.
  Location location_at(size_t off) const { return Location::at_offset(std::string(name_), base_ + off); }

 private:
  bool fits(size_t off, size_t n) const { return off <= data_.size() && n <= data_.size() - off; }

  template <typename T>
  static T decode(const std::byte* p) {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | std::to_integer<T>(p[i]));
    return v;
  }
  template <typename T>
  Result<T> take(std::string_view what) {
    if (remaining() < sizeof(T)) return short_read(pos_, sizeof(T), what);
    T v = decode<T>(data_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  template <typename T>
  Result<T> load(size_t off, std::string_view what) const {
    if (!fits(off, sizeof(T))) return short_read(off, sizeof(T), what);
    return decode<T>(data_.data() + off);
  }

  // Out of line and cold: the only places that build strings.
  tl::unexpected<Error> short_read(size_t off, size_t n, std::string_view what) const;
  tl::unexpected<Error> bad_seek(size_t off, std::string_view what) const;

  ByteSpan data_;
  std::string_view name_;
  std::string_view region_;
  uint64_t base_ = 0;
  size_t pos_ = 0;
};

}  // namespace sipl
