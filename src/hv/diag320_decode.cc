#include "sipl/hv/diag320_decode.h"

#include <fmt/format.h>

#include "sipl/base/ebcdic.h"
#include "sipl/hv/diag320_layout.h"

namespace sipl::hv {
namespace {

namespace L = diag320;

Location at(size_t off) { return Location::at_offset("VCB", off); }

// Returns the span [off, off+len) of `vce` when it lies inside it.
Result<ByteSpan> field(ByteSpan vce, size_t vce_off, uint64_t off, uint64_t len, const char* what) {
  if (off > vce.size() || len > vce.size() - off)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCE {} field ({} bytes at offset {}) lies outside the {}-byte entry",
                            what, len, off, vce.size()),
                at(vce_off));
  return vce.subspan(off, len);
}

Result<VceFields> decode_vce(ByteSpan vce, size_t vce_off) {
  namespace V = L::vce;
  VceFields e;
  e.offset = vce_off;
  e.len = static_cast<uint32_t>(vce.size());
  e.flags = static_cast<uint8_t>(vce[V::kFlags]);
  e.valid = (e.flags & V::kFlagValid) != 0;
  e.key_type = static_cast<uint8_t>(vce[V::kKeyType]);
  e.cert_idx = load_u16_be(vce, V::kCertIndex);
  auto name = vce.subspan(V::kName, kNameLen);
  e.name_ebcdic.assign(name.begin(), name.end());
  e.name = ebcdic_name_to_ascii(name);
  while (!e.name.empty() && e.name.back() == ' ') e.name.pop_back();
  if (vce.size() < V::kHeaderSize) return e;

  e.format = static_cast<uint8_t>(vce[V::kFormat]);
  e.keyid_len = load_u16_be(vce, V::kKeyIdLenField);
  e.hash_type = static_cast<uint8_t>(vce[V::kHashType]);
  e.hash_len = load_u16_be(vce, V::kHashLenField);
  e.cert_len = load_u32_be(vce, V::kCertLen);
  e.hash_offset = load_u16_be(vce, V::kHashOffset);
  e.cert_offset = load_u16_be(vce, V::kCertOffset);
  auto key_id = field(vce, vce_off, V::kKeyIdData, e.keyid_len, "key id");
  if (!key_id) return tl::unexpected(key_id.error());
  auto hash = field(vce, vce_off, e.hash_offset, e.hash_len, "hash");
  if (!hash) return tl::unexpected(hash.error());
  auto cert = field(vce, vce_off, e.cert_offset, e.cert_len, "certificate");
  if (!cert) return tl::unexpected(cert.error());
  e.key_id = *key_id;
  e.hash = *hash;
  e.cert = *cert;
  return e;
}

}  // namespace

Result<VcssbFields> decode_vcssb(ByteSpan block) {
  namespace S = L::vcssb;
  if (block.size() < S::kSize)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCSSB is {} bytes, expected {}", block.size(), S::kSize));
  VcssbFields f;
  f.length = load_u32_be(block, S::kLength);
  f.version = static_cast<uint8_t>(block[S::kVersion]);
  f.total_vc_ct = load_u16_be(block, S::kTotalVcCount);
  f.max_vc_ct = load_u16_be(block, S::kMaxVcCount);
  f.max_single_vcb_len = load_u32_be(block, S::kMaxSingleVcbLength);
  f.total_vcb_len = load_u32_be(block, S::kTotalVcbLength);
  return f;
}

Result<VcbFields> decode_vcb(ByteSpan block) {
  namespace B = L::vcb;
  if (block.size() < B::kHeaderSize)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCB is {} bytes, shorter than its {}-byte header", block.size(),
                            B::kHeaderSize));
  VcbFields f;
  f.in_len = load_u32_be(block, B::kInLen);
  f.first_vc_index = load_u16_be(block, B::kFirstVcIndex);
  f.last_vc_index = load_u16_be(block, B::kLastVcIndex);
  f.out_len = load_u32_be(block, B::kOutLen);
  f.stored_ct = load_u16_be(block, B::kStoredCount);
  f.remain_ct = load_u16_be(block, B::kRemainCount);
  if (f.out_len < B::kHeaderSize || f.out_len > block.size())
    return fail(ErrorCode::kBadInput,
                fmt::format("VCB out_len {} is outside [{}, {}] (the block's size)", f.out_len,
                            B::kHeaderSize, block.size()),
                at(B::kOutLen));
  // Each VCE is at least 72 bytes, so this loop runs at most out_len / 72 times.
  size_t off = B::kHeaderSize;
  while (off < f.out_len) {
    const size_t left = f.out_len - off;
    if (left < L::vce::kInvalidLen)
      return fail(ErrorCode::kBadInput,
                  fmt::format("{} bytes left before out_len, too few for a VCE", left), at(off));
    const uint32_t len = load_u32_be(block, off + L::vce::kLen);
    if (len < L::vce::kInvalidLen || len % 4 != 0 || len > left)
      return fail(ErrorCode::kBadInput,
                  fmt::format("VCE length {} must be a multiple of 4 from {} to the {} bytes left "
                              "before out_len",
                              len, L::vce::kInvalidLen, left),
                  at(off));
    auto e = decode_vce(block.subspan(off, len), off);
    if (!e) return tl::unexpected(e.error());
    f.entries.push_back(std::move(*e));
    off += len;
  }
  if (f.entries.size() != f.stored_ct)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCB holds {} VCEs but stored_ct is {}", f.entries.size(), f.stored_ct),
                at(B::kStoredCount));
  return f;
}

std::vector<unsigned> IsmFields::installed_subcodes() const {
  std::vector<unsigned> out;
  for (unsigned bit = 0; bit < 32; ++bit)
    if (installed(bit)) out.push_back(bit);
  return out;
}

Result<IsmFields> decode_ism(ByteSpan block) {
  if (block.size() < L::kIsmStoredSize)
    return fail(ErrorCode::kBadInput, fmt::format("an ISM word is {} bytes, not {}", L::kIsmStoredSize, block.size()));
  return IsmFields{load_u32_be(block, 0)};
}

Bytes vcssb_request() {
  Bytes b(L::vcssb::kSize);
  store_u32_be(b, L::vcssb::kLength, L::vcssb::kValidLength);
  return b;
}

Bytes VcbRequest::encode() const {
  Bytes b(L::vcb::kHeaderSize);
  store_u32_be(b, L::vcb::kInLen, in_len);
  store_u16_be(b, L::vcb::kFirstVcIndex, first_vc_index);
  store_u16_be(b, L::vcb::kLastVcIndex, last_vc_index);
  return b;
}

}  // namespace sipl::hv
