#include "sipl/hv/diag508_svb.h"

#include <fmt/format.h>

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
  Svb s;
  s.length = load_u32_be(block, svb::kLength);
  s.version = static_cast<uint8_t>(block[svb::kVersion]);
  s.cert_store_index = static_cast<uint8_t>(block[svb::kCertStoreIndex]);
  s.cert_len = load_u64_be(block, svb::kCertLen);
  s.comp_len = load_u64_be(block, svb::kCompLen);
  s.comp_addr = load_u64_be(block, svb::kCompAddr);
  s.sig_len = load_u64_be(block, svb::kSigLen);
  s.sig_addr = load_u64_be(block, svb::kSigAddr);
  return s;
}

}  // namespace sipl::hv::diag508
