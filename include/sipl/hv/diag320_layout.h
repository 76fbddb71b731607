// Byte layouts of DIAG 0x320 (Certificate Store Facility) blocks, QEMU target/s390x/diag.c
// handle_diag_320, include/hw/s390x/ipl/diag320.h:
//   ISM   Installed Subcodes Mask (subcode 0), 256 bits of which QEMU stores word 0;
//   VCSSB Verification-Certificate Storage Size Block (subcode 1), 128 bytes;
//   VCB   Verification-Certificate Block (subcode 2), 64-byte header + VCEs;
//   VCE   Verification-Certificate Entry, 128-byte header + key id + hash + DER.
// All fields are big-endian. Offsets only; the handler (diag320.cc) and the decoder
// (diag320_decode.cc) read and write them through base/bytes.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sipl/hv/certificate_store.h"

namespace sipl::hv::diag320 {

// Subcodes and return codes (written to register R1+1).
inline constexpr uint64_t kSubcodeQueryIsm = 0;
inline constexpr uint64_t kSubcodeQueryVcsi = 1;
inline constexpr uint64_t kSubcodeStoreVc = 2;
inline constexpr uint64_t kSubcodeMask = 0xff;  // any other bit → specification exception

inline constexpr uint16_t kRcOk = 0x0001;
inline constexpr uint16_t kRcNotSupported = 0x0102;
inline constexpr uint16_t kRcInvalidVcssbLength = 0x0202;
inline constexpr uint16_t kRcInvalidVcbLength = 0x0204;
inline constexpr uint16_t kRcBadRange = 0x0302;

// ISM: bit 0 = subcode 0, bit 1 = subcode 1, bit 2 = subcode 2.
inline constexpr uint32_t kIsmWord0 = 0xE0000000;
inline constexpr size_t kIsmSize = 32;        // the architected 256-bit mask
inline constexpr size_t kIsmStoredSize = 4;   // what QEMU writes

// VCSSB (subcode 1): 8-byte aligned, guest sets length = 128.
namespace vcssb {
inline constexpr size_t kSize = 128;
inline constexpr size_t kAlign = 8;
inline constexpr uint32_t kValidLength = 128;
inline constexpr uint32_t kEmptyStoreLength = 4;  // VCSSB_NO_VC
inline constexpr size_t kLength = 0;              // u32
inline constexpr size_t kVersion = 7;             // u8
inline constexpr size_t kTotalVcCount = 32;       // u16
inline constexpr size_t kMaxVcCount = 34;         // u16
inline constexpr size_t kMaxSingleVcbLength = 80; // u32
inline constexpr size_t kTotalVcbLength = 84;     // u32
static_assert(kTotalVcbLength + 4 + 40 == kSize, "VCSSB ends with 40 reserved bytes");
}  // namespace vcssb

// VCB header (subcode 2): 4 KiB aligned, in_len a multiple of 4096.
namespace vcb {
inline constexpr size_t kHeaderSize = kVcbHeaderSize;  // 64
inline constexpr uint64_t kAlign = 4096;
inline constexpr uint32_t kInLenGranule = 4096;
inline constexpr size_t kInLen = 0;            // u32, in
inline constexpr size_t kFirstVcIndex = 8;     // u16, in (1-based)
inline constexpr size_t kLastVcIndex = 10;     // u16, in (1-based)
inline constexpr size_t kOutLen = 32;          // u32, out
inline constexpr size_t kStoredCount = 40;     // u16, out
inline constexpr size_t kRemainCount = 42;     // u16, out
static_assert(kRemainCount + 2 + 20 == kHeaderSize, "VCB header ends with 20 reserved bytes");
static_assert(kHeaderSize == 64);
}  // namespace vcb

// VCE (one per certificate, contiguous after the VCB header, word multiples).
namespace vce {
inline constexpr size_t kHeaderSize = kVceHeaderSize;  // 128
inline constexpr size_t kLen = 0;          // u32
inline constexpr size_t kFlags = 4;        // u8
inline constexpr size_t kKeyType = 5;      // u8
inline constexpr size_t kCertIndex = 6;    // u16, 1-based
inline constexpr size_t kName = 8;         // 64 bytes EBCDIC
inline constexpr size_t kFormat = 72;      // u8
inline constexpr size_t kKeyIdLenField = 74;  // u16
inline constexpr size_t kHashType = 77;    // u8
inline constexpr size_t kHashLenField = 78;   // u16
inline constexpr size_t kCertLen = 84;     // u32
inline constexpr size_t kHashOffset = 96;  // u16, from VCE start
inline constexpr size_t kCertOffset = 98;  // u16, from VCE start
inline constexpr size_t kKeyIdData = kHeaderSize;  // key id right after the header

inline constexpr uint8_t kFlagValid = 0x80;  // bit 0
inline constexpr uint8_t kFormatX509Der = 1;
inline constexpr uint8_t kHashTypeSha256 = 1;
// An invalid VCE is only its first 72 bytes: len, flags, key type, index and name.
inline constexpr uint32_t kInvalidLen = 72;
static_assert(kName + kNameLen == kInvalidLen);
static_assert(kCertOffset + 2 + 28 == kHeaderSize, "VCE header ends with 28 reserved bytes");
// Data fields, each word aligned: key id (32) at 128, hash (32) at 160, DER at 192.
inline constexpr uint16_t kHashDataOffset = kHeaderSize + round_up(sipl::hv::kKeyIdLen, 4);
inline constexpr uint16_t kCertDataOffset = kHashDataOffset + round_up(sipl::hv::kHashLen, 4);
static_assert(kHashDataOffset == 160 && kCertDataOffset == 192);
}  // namespace vce

// The largest VCB a full store can produce: 64 + 64 × 8192. Bounds what a guest buffer
// larger than this can ever receive.
inline constexpr uint64_t kMaxVcbOutLen = vcb::kHeaderSize + kMaxCertificates * kMaxVceSize;

}  // namespace sipl::hv::diag320
