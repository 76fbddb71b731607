// hv::diag508::Svb: the Signature-Verification Block of DIAG 0x508 as one type, encoded and
// decoded in one place (layout in diag508_layout.h). The BIOS's engine (fw) fills one before
// the call and reads cert_store_index back after it; the handler (diag508.cc) reads it and
// writes it back; `sipl diag 508` does what the BIOS does.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/hv/diag508_layout.h"

namespace sipl::hv::diag508 {

struct Svb {
  uint32_t length = svb::kSize;  // in: must be 64
  uint8_t version = 0;           // in: ignored by QEMU
  uint8_t cert_store_index = 0;  // out: 0-based store index of the certificate that verified
  uint64_t cert_len = 0;         // out: DER length of that certificate
  uint64_t comp_len = 0;
  uint64_t comp_addr = 0;
  uint64_t sig_len = 0;
  uint64_t sig_addr = 0;

  // Returns the 64 big-endian bytes of the block (reserved bytes zero).
  std::array<std::byte, svb::kSize> encode() const;
  // Writes the fields over the first 64 bytes of `block`, leaving its reserved bytes as they
  // are (QEMU reads the whole block and writes it back).
  void encode_into(std::span<std::byte, svb::kSize> block) const;
  // Returns the fields of the first 64 bytes of `block`; kBadInput when it is shorter.
  static Result<Svb> decode(ByteSpan block);
};

}  // namespace sipl::hv::diag508
