// A minimal DER (and BER, as libtasn1 accepts it) reader for the CMS SignedData that DIAG 0x508 verifies: definite lengths,
// single-byte tags, every length checked against what remains before use. Internal to
// src/crypto (the public API never exposes TLVs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/bytes.h"

namespace sipl::crypto::der {

inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
// Context-specific constructed [n] and primitive [n].
constexpr uint8_t context_constructed(unsigned n) { return static_cast<uint8_t>(0xA0 | n); }
constexpr uint8_t context_primitive(unsigned n) { return static_cast<uint8_t>(0x80 | n); }

// One tag-length-value: `whole` spans tag, length and value (for raw re-use, e.g. signed
// attributes are signed as their own encoding), `value` the contents.
struct Tlv {
  uint8_t tag = 0;
  ByteSpan value;
  ByteSpan whole;
  size_t offset = 0;  // of the tag, relative to the outermost buffer handed to the Reader
  bool indefinite = false;
};

class Reader {
 public:
  // `base` is the offset of data[0] in the outermost buffer (for error messages).
  explicit Reader(ByteSpan data, size_t base = 0) : data_(data), base_(base) {}

  bool empty() const { return pos_ == data_.size(); }
  size_t offset() const { return base_ + pos_; }
  // Returns the next tag without consuming it (nullopt at the end).
  std::optional<uint8_t> peek_tag() const;
  // Reads the next TLV; nullopt (cursor unchanged) if it is malformed or runs past the end:
  // high tag numbers, lengths over what remains, unterminated or too deeply nested values.
  // A tag seen by peek_tag() says nothing about whether its TLV reads: check the result.
  [[nodiscard]] std::optional<Tlv> next();
  // Reads the next TLV only if its tag is `tag`.
  [[nodiscard]] std::optional<Tlv> next(uint8_t tag);
  // Returns a reader over a constructed TLV's contents.
  static Reader inside(const Tlv& t) {
    return Reader(t.value, t.offset + static_cast<size_t>(t.value.data() - t.whole.data()));
  }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  static constexpr int kMaxDepth = 64;
  std::optional<Tlv> next_at_depth(int depth);

  ByteSpan data_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

// Appends tag, minimal definite length and `value` (DER) to `out`.
void append_tlv(Bytes& out, uint8_t tag, ByteSpan value);

// Returns the dotted text of an OID's contents ("1.2.840.113549.1.7.2"), nullopt if malformed.
std::optional<std::string> oid_to_string(ByteSpan contents);

}  // namespace sipl::crypto::der
