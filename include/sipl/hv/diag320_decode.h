// The DIAG 0x320 blocks as the guest writes and reads them (layouts in diag320_layout.h): the
// requests it sets up before the call (a VCSSB with its length, a VCB header naming the range)
// and the ISM, VCSSB and VCB with its VCEs it reads back. The BIOS's engine (fw) and
// `sipl diag 320` both use these. Every length and offset taken from a block is checked against
// the block before use, so any bytes decode or fail cleanly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::hv {

// The first word of the Installed Subcodes Mask (subcode 0), the only one QEMU stores.
struct IsmFields {
  uint32_t word0 = 0;
  // Returns true when bit `subcode` (bit 0 = the most significant) is set.
  bool installed(unsigned subcode) const { return subcode < 32 && (word0 & (0x80000000u >> subcode)) != 0; }
  // Returns the installed subcodes, ascending.
  std::vector<unsigned> installed_subcodes() const;
};

// The decoders below read a block the guest got back. `name` and `base` say where it lies for
// the error's location: a file and the block's offset in it, or "guest memory" and its address.

// Returns the ISM word of a block of at least 4 bytes (kBadInput if shorter).
Result<IsmFields> decode_ism(ByteSpan block, std::string_view name = "ISM", uint64_t base = 0);

// Returns the 128-byte VCSSB the guest hands to subcode 1: length 128, the rest zero.
Bytes vcssb_request();

// The VCB header the guest hands to subcode 2: its buffer length and the 1-based range.
struct VcbRequest {
  uint32_t in_len = 0;
  uint16_t first_vc_index = 0;
  uint16_t last_vc_index = 0;
  // Returns the 64-byte header (output fields zero).
  Bytes encode() const;
};

// The fields of a Verification-Certificate Storage Size Block.
struct VcssbFields {
  uint32_t length = 0;  // 128, or 4 for an empty store (the other fields are then as read)
  uint8_t version = 0;
  uint16_t total_vc_ct = 0;
  uint16_t max_vc_ct = 0;
  uint32_t max_single_vcb_len = 0;
  uint32_t total_vcb_len = 0;
};

// One Verification-Certificate Entry; data spans point into the decoded block.
struct VceFields {
  size_t offset = 0;  // from the start of the VCB
  uint32_t len = 0;
  uint8_t flags = 0;
  bool valid = false;  // flags bit 0
  uint8_t key_type = 0;
  uint16_t cert_idx = 0;
  Bytes name_ebcdic;     // 64 bytes
  std::string name;      // decoded, trailing blanks removed
  // The remaining fields exist only in a VCE of at least 128 bytes (not in a 72-byte one).
  uint8_t format = 0;
  uint16_t keyid_len = 0;
  uint8_t hash_type = 0;
  uint16_t hash_len = 0;
  uint32_t cert_len = 0;
  uint16_t hash_offset = 0;
  uint16_t cert_offset = 0;
  ByteSpan key_id;
  ByteSpan hash;
  ByteSpan cert;
};

// The fields of a Verification-Certificate Block and the VCEs it holds.
struct VcbFields {
  uint32_t in_len = 0;
  uint16_t first_vc_index = 0;
  uint16_t last_vc_index = 0;
  uint32_t out_len = 0;
  uint16_t stored_ct = 0;
  uint16_t remain_ct = 0;
  std::vector<VceFields> entries;
};

// Returns the VCSSB fields of a 128-byte block (kBadInput if shorter).
Result<VcssbFields> decode_vcssb(ByteSpan block, std::string_view name = "VCSSB", uint64_t base = 0);
// Returns the VCB header and its VCEs up to out_len; kBadInput naming the byte offset when
// out_len, a VCE length or a data field points outside the block or VCE, or when the number of
// VCEs differs from stored_ct.
Result<VcbFields> decode_vcb(ByteSpan block, std::string_view name = "VCB", uint64_t base = 0);

}  // namespace sipl::hv
