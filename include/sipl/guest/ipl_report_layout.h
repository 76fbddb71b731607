// Byte layout of what the guest OS reads after a (secure) IPL, decoded from the upstream sources on
// their own (Linux arch/s390/boot/ipl_report.c, arch/s390/include/uapi/asm/ipl.h, QEMU
// include/hw/s390x/ipl/qipl.h), apart from the firmware's writer: lowcore's IPLB pointer, the IPL
// Parameter Block (IPLB) header, the IPL Information Report Block (IIRB, Linux: "IPL report list"),
// its info blocks (Linux: "report blocks"), component and certificate entries, and the IIEI (IPL
// Info Error Indicators) / CEI (Component Error Indicators) masks. All fields big-endian; bit 0 is
// the most significant bit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipl::guest::layout {

// Lowcore: u32 absolute address of the IPL parameter block (Linux `ipl_parmblock_ptr`).
inline constexpr uint64_t kLowcoreIplParmblockPtr = 0x14;

// IPLB header (`struct ipl_pl_hdr`, 8 bytes).
namespace iplb {
inline constexpr size_t kLen = 0;       // u32: whole IPLB length
inline constexpr size_t kHdrFlags = 4;  // u8
inline constexpr size_t kVersion = 7;   // u8: Linux accepts versions <= 0 only
inline constexpr size_t kHeaderSize = 8;
inline constexpr uint32_t kMaxLen = 4096;   // DIAG 308 store/set limit
inline constexpr uint8_t kMaxVersion = 0;   // Linux IPL_MAX_SUPPORTED_VERSION
inline constexpr uint8_t kFlagIplps = 0x80;
inline constexpr uint8_t kFlagSipl = 0x40;   // secure IPL performed (Linux IPL_PL_FLAG_SIPL)
inline constexpr uint8_t kFlagIplir = 0x20;  // report present (Linux IPL_PL_FLAG_IPLSR)
static_assert(kLen + 4 == kHdrFlags && kHdrFlags + 3 == kVersion && kVersion + 1 == kHeaderSize);
}  // namespace iplb

// The report starts at the first doubleword boundary after the IPLB (Linux aligns up to 8).
inline constexpr uint64_t kReportAlignment = 8;

// IIRB header (`struct ipl_rl_hdr`, 16 bytes).
namespace iirb {
inline constexpr size_t kLen = 0;    // u32: header + all info blocks
inline constexpr size_t kFlags = 4;  // u8
inline constexpr size_t kVersion = 7;  // u8 (Linux's name; QEMU leaves it reserved)
inline constexpr size_t kHeaderSize = 16;
static_assert(kLen + 4 == kFlags && kFlags + 3 == kVersion && kVersion + 9 == kHeaderSize);
}  // namespace iirb

// Info block header (`struct ipl_rb_hdr` / QEMU IplInfoBlockHeader, 16 bytes).
namespace block {
inline constexpr size_t kLen = 0;   // u32: whole block including this header
inline constexpr size_t kType = 4;  // u8
inline constexpr size_t kIiei = 8;  // u16: IPL Info Error Indicators (component list)
inline constexpr size_t kHeaderSize = 16;
inline constexpr uint8_t kTypeCertificates = 1;
inline constexpr uint8_t kTypeComponents = 2;
static_assert(kLen + 4 == kType && kType + 4 == kIiei && kIiei + 8 == kHeaderSize);
}  // namespace block

// Component entry (`struct ipl_rb_component_entry`, 32 bytes).
namespace component {
inline constexpr size_t kAddr = 0x00;       // u64: load address (PSW for the last pseudo-entry)
inline constexpr size_t kLen = 0x08;        // u64
inline constexpr size_t kFlags = 0x10;      // u8
inline constexpr size_t kCertIndex = 0x16;  // u16: 0-based index into the certificate list
inline constexpr size_t kCei = 0x18;        // u32: Component Error Indicators
inline constexpr size_t kSize = 0x20;
inline constexpr uint8_t kFlagSigned = 0x80;    // SC: a signature preceded the component
inline constexpr uint8_t kFlagVerified = 0x40;  // CSV: the signature verified
static_assert(kAddr + 8 == kLen && kLen + 8 == kFlags && kFlags + 1 + 5 == kCertIndex);
static_assert(kCertIndex + 2 == kCei && kCei + 4 + 4 == kSize, "a component entry is 32 bytes");
}  // namespace component

// Certificate entry (`struct ipl_rb_certificate_entry`, 16 bytes).
namespace certificate {
inline constexpr size_t kAddr = 0;  // u64: absolute address of the DER copy
inline constexpr size_t kLen = 8;   // u64: DER length
inline constexpr size_t kSize = 16;
static_assert(kAddr + 8 == kLen && kLen + 8 == kSize, "a certificate entry is 16 bytes");
}  // namespace certificate

// Capacities of the BIOS's IIRB (QEMU include/hw/s390x/ipl/qipl.h, pc-bios/s390-ccw/secure-ipl.h).
inline constexpr size_t kMaxComponents = (4096 - 32) / component::kSize;  // 127
inline constexpr size_t kMaxCertificates = 64;
inline constexpr size_t kMaxIirbLen = iirb::kHeaderSize +
                                      (block::kHeaderSize + kMaxComponents * component::kSize) +
                                      (block::kHeaderSize + kMaxCertificates * certificate::kSize);
static_assert(kMaxComponents == 127 && kMaxIirbLen == 5136);

// IIEI bits (u16 in the component list header; bit 0 = 0x8000).
namespace iiei {
inline constexpr uint16_t kNoSignedComponent = 0x8000;
inline constexpr uint16_t kNoSclab = 0x4000;
inline constexpr uint16_t kNoGlobalSclab = 0x2000;
inline constexpr uint16_t kMultipleGlobalSclab = 0x1000;
inline constexpr uint16_t kUnsignedWithNuc = 0x0800;
inline constexpr uint16_t kNotSingleComponent = 0x0400;
}  // namespace iiei

// CEI bits (u32 in each component entry; bit 0 = 0x80000000).
namespace cei {
inline constexpr uint32_t kInvalidSclab = 0x80000000;
inline constexpr uint32_t kInvalidSclabLen = 0x40000000;
inline constexpr uint32_t kInvalidSclabFormat = 0x20000000;
inline constexpr uint32_t kLoadAddrMismatch = 0x10000000;
inline constexpr uint32_t kLoadPswMismatch = 0x08000000;
inline constexpr uint32_t kInvalidLoadPsw = 0x04000000;
inline constexpr uint32_t kNucNotGlobal = 0x02000000;
inline constexpr uint32_t kGlobalWithoutOla = 0x01000000;
inline constexpr uint32_t kScNotGlobal = 0x00800000;
inline constexpr uint32_t kLoadAddrNotZero = 0x00400000;
inline constexpr uint32_t kLoadPswNotZero = 0x00200000;
inline constexpr uint32_t kUnsignedBelow0x2000 = 0x00100000;
}  // namespace cei

}  // namespace sipl::guest::layout
