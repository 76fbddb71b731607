#include "sipl/hv/diag320_decode.h"

#include <fmt/format.h>

#include "sipl/base/ebcdic.h"
#include "sipl/base/reader.h"
#include "sipl/hv/diag320_layout.h"

namespace sipl::hv {
namespace {

namespace L = diag320;

// Returns the span [off, off+len) of the VCE read by `vce` when it lies inside it.
Result<ByteSpan> field(const Reader& vce, uint64_t off, uint64_t len, const char* what) {
  auto b = vce.bytes_at(off, len, what);
  if (!b)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCE {} field ({} bytes at offset {}) lies outside the {}-byte entry", what, len, off,
                            vce.size()),
                vce.location_at(0));
  return b;
}

// `vce` is a child reader over one entry (at least kInvalidLen bytes, checked by the caller).
Result<VceFields> decode_vce(const Reader& vce) {
  namespace V = L::vce;
  auto head = vce.fixed_at<V::kInvalidLen>(0, "VCE");
  if (!head) return tl::unexpected(head.error());
  VceFields e;
  e.offset = vce.base();
  e.len = static_cast<uint32_t>(vce.size());
  e.flags = head->u8<V::kFlags>();
  e.valid = (e.flags & V::kFlagValid) != 0;
  e.key_type = head->u8<V::kKeyType>();
  e.cert_idx = head->u16_be<V::kCertIndex>();
  auto name = head->bytes<V::kName, kNameLen>();
  e.name_ebcdic.assign(name.begin(), name.end());
  e.name = ebcdic_name_to_ascii(name);
  while (!e.name.empty() && e.name.back() == ' ') e.name.pop_back();
  if (vce.size() < V::kHeaderSize) return e;

  auto full = vce.fixed_at<V::kHeaderSize>(0, "VCE header");
  if (!full) return tl::unexpected(full.error());
  e.format = full->u8<V::kFormat>();
  e.keyid_len = full->u16_be<V::kKeyIdLenField>();
  e.hash_type = full->u8<V::kHashType>();
  e.hash_len = full->u16_be<V::kHashLenField>();
  e.cert_len = full->u32_be<V::kCertLen>();
  e.hash_offset = full->u16_be<V::kHashOffset>();
  e.cert_offset = full->u16_be<V::kCertOffset>();
  auto key_id = field(vce, V::kKeyIdData, e.keyid_len, "key id");
  if (!key_id) return tl::unexpected(key_id.error());
  auto hash = field(vce, e.hash_offset, e.hash_len, "hash");
  if (!hash) return tl::unexpected(hash.error());
  auto cert = field(vce, e.cert_offset, e.cert_len, "certificate");
  if (!cert) return tl::unexpected(cert.error());
  e.key_id = *key_id;
  e.hash = *hash;
  e.cert = *cert;
  return e;
}

}  // namespace

Result<VcssbFields> decode_vcssb(ByteSpan block, std::string_view name, uint64_t base) {
  namespace S = L::vcssb;
  if (block.size() < S::kSize)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCSSB is {} bytes, expected {}", block.size(), S::kSize),
                Location::at_offset(std::string(name), base));
  auto r = Reader(block, name, base).fixed_at<S::kSize>(0, "VCSSB");
  if (!r) return tl::unexpected(r.error());
  VcssbFields f;
  f.length = r->u32_be<S::kLength>();
  f.version = r->u8<S::kVersion>();
  f.total_vc_ct = r->u16_be<S::kTotalVcCount>();
  f.max_vc_ct = r->u16_be<S::kMaxVcCount>();
  f.max_single_vcb_len = r->u32_be<S::kMaxSingleVcbLength>();
  f.total_vcb_len = r->u32_be<S::kTotalVcbLength>();
  return f;
}

Result<VcbFields> decode_vcb(ByteSpan block, std::string_view name, uint64_t base) {
  namespace B = L::vcb;
  if (block.size() < B::kHeaderSize)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCB is {} bytes, shorter than its {}-byte header", block.size(),
                            B::kHeaderSize),
                Location::at_offset(std::string(name), base));
  const Reader r(block, name, base);
  auto h = r.fixed_at<B::kHeaderSize>(0, "VCB header");
  if (!h) return tl::unexpected(h.error());
  VcbFields f;
  f.in_len = h->u32_be<B::kInLen>();
  f.first_vc_index = h->u16_be<B::kFirstVcIndex>();
  f.last_vc_index = h->u16_be<B::kLastVcIndex>();
  f.out_len = h->u32_be<B::kOutLen>();
  f.stored_ct = h->u16_be<B::kStoredCount>();
  f.remain_ct = h->u16_be<B::kRemainCount>();
  if (f.out_len < B::kHeaderSize || f.out_len > block.size())
    return fail(ErrorCode::kBadInput,
                fmt::format("VCB out_len {} is outside [{}, {}] (the block's size)", f.out_len,
                            B::kHeaderSize, block.size()),
                r.location_at(B::kOutLen));
  // The VCEs: a child bounded by out_len, each VCE a child bounded by its own length. Each VCE
  // is at least 72 bytes, so this loop runs at most out_len / 72 times.
  auto entries = r.child_at(B::kHeaderSize, f.out_len - B::kHeaderSize, "the VCEs before out_len");
  if (!entries) return tl::unexpected(entries.error());
  while (!entries->empty()) {
    const size_t off = entries->pos();
    const size_t left = entries->remaining();
    if (left < L::vce::kInvalidLen)
      return fail(ErrorCode::kBadInput,
                  fmt::format("{} bytes left before out_len, too few for a VCE", left),
                  entries->location_at(off));
    auto len = entries->u32_be_at(entries->pos() + L::vce::kLen, "VCE length");
    if (!len) return tl::unexpected(len.error());
    if (*len < L::vce::kInvalidLen || *len % 4 != 0 || *len > left)
      return fail(ErrorCode::kBadInput,
                  fmt::format("VCE length {} must be a multiple of 4 from {} to the {} bytes left "
                              "before out_len",
                              *len, L::vce::kInvalidLen, left),
                  entries->location_at(off));
    auto vce = entries->child(*len, "the VCE");
    if (!vce) return tl::unexpected(vce.error());
    auto e = decode_vce(*vce);
    if (!e) return tl::unexpected(e.error());
    f.entries.push_back(std::move(*e));
  }
  if (f.entries.size() != f.stored_ct)
    return fail(ErrorCode::kBadInput,
                fmt::format("VCB holds {} VCEs but stored_ct is {}", f.entries.size(), f.stored_ct),
                r.location_at(B::kStoredCount));
  return f;
}

std::vector<unsigned> IsmFields::installed_subcodes() const {
  std::vector<unsigned> out;
  for (unsigned bit = 0; bit < 32; ++bit)
    if (installed(bit)) out.push_back(bit);
  return out;
}

Result<IsmFields> decode_ism(ByteSpan block, std::string_view name, uint64_t base) {
  if (block.size() < L::kIsmStoredSize)
    return fail(ErrorCode::kBadInput, fmt::format("ISM is {} bytes, shorter than its {}-byte word", block.size(), L::kIsmStoredSize),
                Location::at_offset(std::string(name), base));
  auto word = Reader(block, name, base).u32_be("ISM word 0");
  if (!word) return tl::unexpected(word.error());
  return IsmFields{*word};
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
