#include "crypto/der.h"

namespace sipl::crypto::der {

std::optional<uint8_t> Reader::peek_tag() const {
  if (empty()) return std::nullopt;
  return static_cast<uint8_t>(data_[pos_]);
}

std::optional<Tlv> Reader::next() {
  size_t p = pos_;
  const size_t n = data_.size();
  if (p >= n) return std::nullopt;
  uint8_t tag = static_cast<uint8_t>(data_[p++]);
  if ((tag & 0x1F) == 0x1F) return std::nullopt;  // multi-byte tag numbers: never in CMS here
  if (p >= n) return std::nullopt;
  uint8_t first = static_cast<uint8_t>(data_[p++]);
  uint64_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    size_t count = first & 0x7F;
    // 0x80 is BER's indefinite length; more than 8 length bytes cannot fit any buffer.
    if (count == 0 || count > 8 || count > n - p) return std::nullopt;
    if (static_cast<uint8_t>(data_[p]) == 0) return std::nullopt;  // non-minimal
    for (size_t i = 0; i < count; ++i) len = (len << 8) | static_cast<uint8_t>(data_[p++]);
    if (len < 0x80) return std::nullopt;  // long form for a short length: not DER
  }
  if (len > n - p) return std::nullopt;
  Tlv t;
  t.tag = tag;
  t.offset = base_ + pos_;
  t.value = data_.subspan(p, static_cast<size_t>(len));
  t.whole = data_.subspan(pos_, p - pos_ + static_cast<size_t>(len));
  pos_ = p + static_cast<size_t>(len);
  return t;
}

std::optional<Tlv> Reader::next(uint8_t tag) {
  auto t = peek_tag();
  if (!t || *t != tag) return std::nullopt;
  return next();
}

std::optional<std::string> oid_to_string(ByteSpan c) {
  if (c.empty() || c.size() > 64) return std::nullopt;
  std::string out;
  uint64_t v = 0;
  bool first = true;
  for (size_t i = 0; i < c.size(); ++i) {
    uint8_t b = static_cast<uint8_t>(c[i]);
    if (v == 0 && b == 0x80) return std::nullopt;  // non-minimal sub-identifier
    if (v > (UINT64_MAX >> 7)) return std::nullopt;
    v = (v << 7) | (b & 0x7F);
    if (b & 0x80) {
      if (i + 1 == c.size()) return std::nullopt;  // truncated sub-identifier
      continue;
    }
    if (first) {
      uint64_t a = v < 40 ? 0 : (v < 80 ? 1 : 2);
      out = std::to_string(a) + "." + std::to_string(v - a * 40);
      first = false;
    } else {
      out += "." + std::to_string(v);
    }
    v = 0;
  }
  return out;
}

}  // namespace sipl::crypto::der
