// IPL Information Report Block (IIRB) byte layout and the error indicator bits the BIOS sets
// in it (QEMU include/hw/s390x/ipl/qipl.h, pc-bios/s390-ccw/secure-ipl.h). All fields big-endian;
// bit 0 is the most significant bit.
//   IIRB header (16): len u32 @0, flags u8 @4, reserved 11
//   IPL info block header (16): len u32 @0, type u8 @4, reserved 3, iiei u16 @8, reserved 6
//   component entry (32): addr u64 @0, len u64 @8, flags u8 @16, reserved 5,
//                         cert_index u16 @22, cei u32 @24, reserved 4
//   certificate entry (16): addr u64 @0, len u64 @8
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipl::fw::iirb {

inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kInfoHeaderSize = 16;
inline constexpr size_t kInfoLen = 0;
inline constexpr size_t kInfoType = 4;
inline constexpr size_t kInfoIiei = 8;
inline constexpr uint8_t kTypeCertificates = 1;
inline constexpr uint8_t kTypeComponents = 2;

inline constexpr size_t kComponentEntrySize = 32;
inline constexpr size_t kCompAddr = 0;
inline constexpr size_t kCompLen = 8;
inline constexpr size_t kCompFlags = 16;
inline constexpr size_t kCompCertIndex = 22;
inline constexpr size_t kCompCei = 24;
static_assert(kCompCei + 4 + 4 == kComponentEntrySize);

inline constexpr size_t kCertificateEntrySize = 16;
inline constexpr size_t kCertAddr = 0;
inline constexpr size_t kCertLen = 8;

inline constexpr uint8_t kFlagSc = 0x80;   // signed component
inline constexpr uint8_t kFlagCsv = 0x40;  // component signature verified

inline constexpr size_t kMaxComponents = (4096 - 32) / 32;  // MAX_COMP_ENTRIES
inline constexpr size_t kMaxCertificates = 64;
inline constexpr size_t kMaxSize = kHeaderSize + (kInfoHeaderSize + kMaxComponents * kComponentEntrySize) +
                                   (kInfoHeaderSize + kMaxCertificates * kCertificateEntrySize);
static_assert(kMaxComponents == 127 && kMaxSize == 5136);

// IIEI: IPL Information Error Indicators (u16 in the component list header).
inline constexpr uint16_t kIieiNoSignedComp = 0x8000;     // bit 0
inline constexpr uint16_t kIieiNoSclab = 0x4000;          // bit 1
inline constexpr uint16_t kIieiNoGlobalSclab = 0x2000;    // bit 2
inline constexpr uint16_t kIieiMoreGlobalSclab = 0x1000;  // bit 3
inline constexpr uint16_t kIieiFoundUnsignedComp = 0x0800;  // bit 4
inline constexpr uint16_t kIieiMoreSignedComp = 0x0400;   // bit 5

// CEI: Component Error Indicators (u32 per component entry).
inline constexpr uint32_t kCeiInvalidSclab = 0x80000000;          // bit 0
inline constexpr uint32_t kCeiInvalidSclabLen = 0x40000000;       // bit 1
inline constexpr uint32_t kCeiInvalidSclabFormat = 0x20000000;    // bit 2
inline constexpr uint32_t kCeiUnmatchedSclabLoadAddr = 0x10000000;  // bit 3
inline constexpr uint32_t kCeiUnmatchedSclabLoadPsw = 0x08000000;   // bit 4
inline constexpr uint32_t kCeiInvalidLoadPsw = 0x04000000;        // bit 5
inline constexpr uint32_t kCeiNucNotInGlobalSclab = 0x02000000;   // bit 6
inline constexpr uint32_t kCeiOlaNotOne = 0x01000000;             // bit 7
inline constexpr uint32_t kCeiScNotInGlobalSclab = 0x00800000;    // bit 8
inline constexpr uint32_t kCeiLoadAddrNotZero = 0x00400000;       // bit 9
inline constexpr uint32_t kCeiLoadPswNotZero = 0x00200000;        // bit 10
inline constexpr uint32_t kCeiInvalidUnsignedAddr = 0x00100000;   // bit 11

inline constexpr uint64_t kUnsignedMinAddr = 0x2000;

}  // namespace sipl::fw::iirb

#include <string>
#include <vector>

namespace sipl::fw::iirb {

// One set indicator bit: its IBM bit number, mask and meaning.
struct IndicatorBit {
  int bit = 0;
  uint32_t mask = 0;
  const char* meaning = "";
};

// Returns the set CEI bits of `cei` in bit order, with their meanings.
std::vector<IndicatorBit> cei_bits(uint32_t cei);
// Returns the set IIEI bits of `iiei` in bit order, with their meanings.
std::vector<IndicatorBit> iiei_bits(uint16_t iiei);

}  // namespace sipl::fw::iirb
