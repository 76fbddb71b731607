// DIAG 0x508 (IPL extensions: signature verification) byte layout and codes,
// QEMU target/s390x/diag.c handle_diag_508, include/hw/s390x/ipl/diag508.h. SVB =
// Signature-Verification Block, 64 bytes, big-endian, at a guest absolute address named by register
// R1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipl::hv::diag508 {

// Register values in R3 (the docs call 0x8000 "subcode 1").
inline constexpr uint64_t kSubcodeQuery = 0x0000;
inline constexpr uint64_t kSubcodeSignatureVerification = 0x8000;
inline constexpr uint64_t kSubcodeMask = 0xFFFF;  // bits outside: specification exception

// Return codes written to R1+1.
inline constexpr uint16_t kRcOk = 0x0001;
inline constexpr uint16_t kRcNoCertificates = 0x0102;
inline constexpr uint16_t kRcInvalidComponent = 0x0202;
inline constexpr uint16_t kRcInvalidSignature = 0x0302;
inline constexpr uint16_t kRcVerificationFailed = 0x0402;
inline constexpr uint16_t kRcInvalidLength = 0x0502;
// Query: the mask of installed subcodes (signature verification).
inline constexpr uint16_t kRcQueryMask = 0x8000;

inline constexpr uint64_t kMaxComponentLength = 0x10000000;  // 256 MiB
inline constexpr uint64_t kMaxSignatureLength = 4096;

// Signature-Verification Block offsets and sizes.
namespace svb {
inline constexpr size_t kLength = 0;           // u32 in: must be 64
inline constexpr size_t kVersion = 7;          // u8 in: guest sets 0; ignored
inline constexpr size_t kCertStoreIndex = 16;  // u8 out: 0-based index that verified
inline constexpr size_t kCertLen = 24;         // u64 out: DER length of that certificate
inline constexpr size_t kCompLen = 32;         // u64 in
inline constexpr size_t kCompAddr = 40;        // u64 in
inline constexpr size_t kSigLen = 48;          // u64 in
inline constexpr size_t kSigAddr = 56;         // u64 in
inline constexpr size_t kSize = 64;
static_assert(kLength + 4 <= kVersion && kVersion + 1 + 8 == kCertStoreIndex);
static_assert(kCertStoreIndex + 1 + 7 == kCertLen && kCertLen + 8 == kCompLen);
static_assert(kCompLen + 8 == kCompAddr && kCompAddr + 8 == kSigLen && kSigLen + 8 == kSigAddr);
static_assert(kSigAddr + 8 == kSize, "the SVB is 64 bytes");
}  // namespace svb

}  // namespace sipl::hv::diag508
