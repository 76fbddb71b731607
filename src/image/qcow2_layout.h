// qcow2 (QEMU Copy-On-Write, versions 2 and 3) on-disk layout, as QEMU's
// docs/interop/qcow2.txt describes it: the constants the reader (qcow2.cc) and the writer
// (qcow2_writer.cc) share. All fields are big-endian. Private to src/image.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipl::image::qcow2 {

// Header field offsets ("Header"); v2 headers end at 72, v3 headers are at least 104 bytes.
namespace header {
inline constexpr size_t kMagic = 0, kVersion = 4, kBackingFileOffset = 8, kBackingFileSize = 16, kClusterBits = 20,
                        kSize = 24, kCryptMethod = 32, kL1Size = 36, kL1TableOffset = 40, kRefcountTableOffset = 48,
                        kRefcountTableClusters = 56, kNbSnapshots = 60, kSnapshotsOffset = 64,
                        kIncompatibleFeatures = 72, kCompatibleFeatures = 80, kAutoclearFeatures = 88,
                        kRefcountOrder = 96, kHeaderLength = 100, kCompressionType = 104;
inline constexpr size_t kV2Length = 72, kV3MinLength = 104;
// What QEMU writes: the compression type byte and padding to a multiple of 8.
inline constexpr size_t kV3Length = 112;
static_assert(kCompressionType + 1 <= kV3Length && kV3Length % 8 == 0);
inline constexpr uint32_t kMagicValue = 0x514649fb;  // "QFI\xfb"
}  // namespace header

// Incompatible feature bits.
inline constexpr uint64_t kIncompatDirty = 1u << 0, kIncompatCorrupt = 1u << 1, kIncompatDataFile = 1u << 2,
                          kIncompatCompression = 1u << 3, kIncompatExtendedL2 = 1u << 4;
inline constexpr uint64_t kKnownIncompat =
    kIncompatDirty | kIncompatCorrupt | kIncompatDataFile | kIncompatCompression | kIncompatExtendedL2;

// Header extensions: type u32, length u32, data padded to 8 bytes.
inline constexpr uint32_t kExtEnd = 0, kExtBackingFormat = 0xe2792aca, kExtDataFile = 0x44415441;

// L1 and L2 entries: host offset bits 9..55; bit 63 "copied" (refcount exactly 1); in L2,
// bit 62 compressed and (v3) bit 0 "reads as zero". Refcount table entries: bits 9..63.
inline constexpr uint64_t kL1OffsetMask = 0x00fffffffffffe00ULL;
inline constexpr uint64_t kL2OffsetMask = 0x00fffffffffffe00ULL;
inline constexpr uint64_t kRefcountTableOffsetMask = 0xfffffffffffffe00ULL;
inline constexpr uint64_t kCopied = 1ULL << 63;
inline constexpr uint64_t kL2Compressed = 1ULL << 62;
inline constexpr uint64_t kL2ZeroFlag = 1ULL;

inline constexpr uint32_t kMinClusterBits = 9, kMaxClusterBits = 21;  // QEMU's limits (512 B .. 2 MiB)
inline constexpr uint64_t kMaxL1Entries = 32 * 1024 * 1024 / 8;       // QEMU's 32 MiB L1 limit
inline constexpr uint32_t kMaxBackingNameLength = 1023;

}  // namespace sipl::image::qcow2
