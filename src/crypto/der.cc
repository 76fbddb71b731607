#include "crypto/der.h"

namespace sipl::crypto::der {

std::optional<uint8_t> Reader::peek_tag() const {
  if (empty()) return std::nullopt;
  return static_cast<uint8_t>(data_[pos_]);
}

std::optional<Tlv> Reader::next() { return next_at_depth(0); }

// BER as libtasn1 decodes it (QEMU re-encodes the blob through GnuTLS, so BER that libtasn1
// accepts still verifies): long-form lengths may be non-minimal, and constructed values may
// use the indefinite length, ended by an end-of-contents marker (nesting bounded).
std::optional<Tlv> Reader::next_at_depth(int depth) {
  if (depth > kMaxDepth) return std::nullopt;
  size_t p = pos_;
  const size_t n = data_.size();
  if (p >= n) return std::nullopt;
  uint8_t tag = static_cast<uint8_t>(data_[p++]);
  if ((tag & 0x1F) == 0x1F) return std::nullopt;  // multi-byte tag numbers: never in CMS here
  if (tag == 0) return std::nullopt;               // end-of-contents outside an indefinite value
  if (p >= n) return std::nullopt;
  uint8_t first = static_cast<uint8_t>(data_[p++]);
  Tlv t;
  t.tag = tag;
  t.offset = base_ + pos_;
  if (first == 0x80) {
    if (!(tag & 0x20)) return std::nullopt;  // indefinite length needs a constructed value
    Reader inner(data_.subspan(p), base_ + p);
    while (true) {
      if (inner.remaining() >= 2 && data_[p + inner.pos_] == std::byte{0} && data_[p + inner.pos_ + 1] == std::byte{0})
        break;
      if (!inner.next_at_depth(depth + 1)) return std::nullopt;
    }
    t.value = data_.subspan(p, inner.pos_);
    t.whole = data_.subspan(pos_, p - pos_ + inner.pos_ + 2);
    t.indefinite = true;
    pos_ = p + inner.pos_ + 2;
    return t;
  }
  uint64_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    size_t count = first & 0x7F;
    if (count > n - p) return std::nullopt;
    for (size_t i = 0; i < count; ++i) {
      if (len > (UINT64_MAX >> 8)) return std::nullopt;
      len = (len << 8) | static_cast<uint8_t>(data_[p++]);
    }
  }
  if (len > n - p) return std::nullopt;
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
      // Appended in two steps: `"." + std::to_string(v)` trips GCC 12's false -Wrestrict at -O3
      // (GCC bug 105329, inside basic_string::insert).
      out += '.';
      out += std::to_string(v);
    }
    v = 0;
  }
  return out;
}

}  // namespace sipl::crypto::der

namespace sipl::crypto::der {

void append_tlv(Bytes& out, uint8_t tag, ByteSpan value) {
  out.push_back(std::byte{tag});
  size_t len = value.size();
  if (len < 0x80) {
    out.push_back(static_cast<std::byte>(len));
  } else {
    Bytes digits;
    for (size_t l = len; l != 0; l >>= 8) digits.insert(digits.begin(), static_cast<std::byte>(l & 0xFF));
    out.push_back(static_cast<std::byte>(0x80 | digits.size()));
    out.insert(out.end(), digits.begin(), digits.end());
  }
  out.insert(out.end(), value.begin(), value.end());
}

}  // namespace sipl::crypto::der
