#include "sipl/hv/diag508_svb.h"

#include <fmt/format.h>

#include "sipl/base/reader.h"

namespace sipl::hv::diag508 {

std::array<std::byte, svb::kSize> Svb::encode() const {
  std::array<std::byte, svb::kSize> b{};
  encode_into(b);
  return b;
}

void Svb::encode_into(std::span<std::byte, svb::kSize> b) const {
  store_u32_be(b, svb::kLength, length);
  store_u8(b, svb::kVersion, version);
  store_u8(b, svb::kCertStoreIndex, cert_store_index);
  store_u64_be(b, svb::kCertLen, cert_len);
  store_u64_be(b, svb::kCompLen, comp_len);
  store_u64_be(b, svb::kCompAddr, comp_addr);
  store_u64_be(b, svb::kSigLen, sig_len);
  store_u64_be(b, svb::kSigAddr, sig_addr);
}

Result<Svb> Svb::decode(ByteSpan block) {
  if (block.size() < svb::kSize)
    return fail(ErrorCode::kBadInput, fmt::format("an SVB is {} bytes, not {}", svb::kSize, block.size()));
  auto b = Reader(block, "SVB").fixed_at<svb::kSize>(0, "SVB");
  if (!b) return tl::unexpected(b.error());
  Svb s;
  s.length = b->u32_be<svb::kLength>();
  s.version = b->u8<svb::kVersion>();
  s.cert_store_index = b->u8<svb::kCertStoreIndex>();
  s.cert_len = b->u64_be<svb::kCertLen>();
  s.comp_len = b->u64_be<svb::kCompLen>();
  s.comp_addr = b->u64_be<svb::kCompAddr>();
  s.sig_len = b->u64_be<svb::kSigLen>();
  s.sig_addr = b->u64_be<svb::kSigAddr>();
  return s;
}

}  // namespace sipl::hv::diag508
