// Byte layout of zipl's SCSI-scheme boot records (s390-tools zipl/include/bootmap.h,
// include/boot/boot_defs.h, QEMU pc-bios/s390-ccw bootmap.h names in comments). zIPL =
// z/Architecture Initial Program Loader; IPL = Initial Program Load (boot). Everything is
// big-endian and packed; this header holds offsets, sizes and values only, so the reader
// (fw/boot_record) and the writer (image/bootmap_writer) share one source of truth. Never
// reinterpret_cast onto these: read and write field by field with load_*/store_* from base/bytes.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipl::zipl {

// ASCII "zIPL" (7A 49 50 4C): magic of the MBR, program table, component header and SCLAB.
inline constexpr std::array<uint8_t, 4> kMagic = {0x7A, 0x49, 0x50, 0x4C};
inline constexpr std::string_view kMagicText = "zIPL";

// Block sizes a SCSI/NVMe disk may have (the BIOS reads 512 and 4096).
inline constexpr uint32_t kBlockSize512 = 512;
inline constexpr uint32_t kBlockSize4096 = 4096;

// --- Linear block pointer (`struct linear_blockptr`, QEMU `ScsiBlockPtr`), 16 bytes ---
namespace blockptr {
inline constexpr size_t kBlockNo = 0x0;   // u64 absolute device block; 0 = null / end of list
inline constexpr size_t kSize = 0x8;      // u16 block size in bytes
inline constexpr size_t kBlockCt = 0xA;   // u16 number of ADDITIONAL blocks (extent = ct+1 blocks)
inline constexpr size_t kReserved = 0xC;  // u32, 0
inline constexpr size_t kLength = 16;
static_assert(kReserved + 4 == kLength);
}  // namespace blockptr

// --- Block 0: SCSI master boot record (`struct scsi_mbr`, QEMU `ScsiMbr`), 152 bytes used ---
namespace mbr {
inline constexpr size_t kMagic = 0x00;               // "zIPL"
inline constexpr size_t kVersionId = 0x04;           // u32, 1
inline constexpr size_t kReserved = 0x08;            // 8 bytes, 0
inline constexpr size_t kProgramTablePointer = 0x10; // linear block pointer
inline constexpr size_t kReserved2 = 0x20;           // 80 bytes, 0
inline constexpr size_t kBootInfo = 0x70;            // 40 bytes: struct boot_info (dumps only)
inline constexpr size_t kBootInfoLength = 40;
inline constexpr size_t kLength = 0x98;              // zipl writes only these 152 bytes
inline constexpr uint32_t kVersion = 1;              // DISK_LAYOUT_ID
// DOS partition table and boot signature that zipl leaves intact in block 0.
inline constexpr size_t kDosPartitionTable = 0x1BE;
inline constexpr size_t kDosSignature = 0x1FE;       // 0x55 0xAA
static_assert(kProgramTablePointer + blockptr::kLength == kReserved2);
static_assert(kReserved2 + 80 == kBootInfo);
static_assert(kBootInfo + kBootInfoLength == kLength);
// The BIOS prints this (and continues) when version_id != 1.
inline constexpr std::string_view kUnknownVersionWarning = "Unknown MBR layout version, assuming version 1";
}  // namespace mbr

// --- Program table (`struct disk_program_table`, QEMU `BootMapTable`), one 512-byte area ---
namespace program_table {
inline constexpr size_t kMagic = 0x00;    // "zIPL"
inline constexpr size_t kVersion = 0x04;  // u32, zipl leaves 0
inline constexpr size_t kEntries = 0x10;  // entry[i] at kEntries + 16*i: pointer to component table
inline constexpr size_t kLength = 512;    // PROGRAM_TABLE_BLOCK_SIZE
inline constexpr size_t kEntryCount = kLength / blockptr::kLength - 1;  // 31 (entry 0 = default)
static_assert(kEntryCount == 31);
static_assert(kEntries + kEntryCount * blockptr::kLength == kLength);
// Returns the byte offset of entry `i` in the program table.
constexpr size_t entry_offset(size_t i) { return kEntries + i * blockptr::kLength; }
}  // namespace program_table

// --- Component table: 32-byte header + 32-byte entries, exactly one block ---
namespace component_header {
inline constexpr size_t kMagic = 0x00;  // "zIPL"
inline constexpr size_t kType = 0x04;   // u8: kTypeIpl / kTypeDump
inline constexpr size_t kLength = 32;
inline constexpr uint8_t kTypeIpl = 0x00;   // COMPONENT_HEADER_IPL / ZIPL_COMP_HEADER_IPL
inline constexpr uint8_t kTypeDump = 0x01;  // COMPONENT_HEADER_DUMP
}  // namespace component_header

namespace component_entry {
inline constexpr size_t kData = 0x00;      // 23 bytes: 0..15 block pointer to first segment table
inline constexpr size_t kDataLength = 23;  // bytes 16..22 are zero padding
inline constexpr size_t kType = 0x17;      // u8 component_type
inline constexpr size_t kCompdat = 0x18;   // 8 bytes, meaning depends on kType
inline constexpr size_t kLength = 32;
static_assert(kData + kDataLength == kType);
static_assert(kCompdat + 8 == kLength);
inline constexpr uint8_t kTypeExec = 0x01;       // compdat = 8-byte short PSW
inline constexpr uint8_t kTypeLoad = 0x02;       // compdat = u64 load address
inline constexpr uint8_t kTypeSignature = 0x03;  // compdat = signature header below
// SIGNATURE compdat (`struct signature_header`, QEMU `SignatureInformation`).
inline constexpr size_t kSigFormat = kCompdat + 0;   // u8
inline constexpr size_t kSigReserved = kCompdat + 1; // 3 bytes, 0
inline constexpr size_t kSigLength = kCompdat + 4;   // u32 exact DER length
inline constexpr uint8_t kSigFormatPkcs7 = 0x01;     // PKCS7_FORMAT / DER_SIGNATURE_FORMAT
static_assert(kSigLength + 4 == kLength);
// Returns the byte offset of entry `i` (0-based) in a component table block.
constexpr size_t entry_offset(size_t i) { return component_header::kLength + i * kLength; }
// The BIOS's component table buffer is 4096 bytes: (4096 - 32) / 32 entries at most.
inline constexpr size_t kMaxEntries = (4096 - component_header::kLength) / kLength;
static_assert(kMaxEntries == 127);
}  // namespace component_entry

// --- Segment table: one block of 16-byte block pointers (extent list) ---
namespace segment_table {
// Returns the number of 16-byte slots in a block; the last one is the link to the next table.
constexpr size_t slots(uint32_t block_size) { return block_size / blockptr::kLength; }
// Returns the slot index of the link to the next segment-table block.
constexpr size_t link_slot(uint32_t block_size) { return slots(block_size) - 1; }
static_assert(link_slot(512) == 31 && link_slot(4096) == 255);
// Filler QEMU's BIOS puts in the unread part of its 4096-byte read buffer (6.3): a slot whose
// following slot begins with this byte is a continuation (link) pointer on small blocks.
inline constexpr uint8_t kFiller = 0xAA;
}  // namespace segment_table

// --- Fixed load addresses and PSWs zipl uses for SCSI IPL sections ---
// (s390-tools include/boot/loaders_layout.h, zipl/boot/stage3.h)
namespace address {
inline constexpr uint64_t kHeap = 0x2000;          // 0x4000-byte heap dummy
inline constexpr uint64_t kHeapSize = 0x4000;
inline constexpr uint64_t kStage3Parms = 0x9000;   // struct stage3_parms
inline constexpr uint64_t kStage3 = 0xA000;        // stage3.bin, entry point
inline constexpr uint64_t kStack = 0xF000;         // 0x1000-byte stack dummy
inline constexpr uint64_t kStackSize = 0x1000;
inline constexpr uint64_t kKernel = 0x10000;       // default kernel image address
inline constexpr uint64_t kPswBase = 0x0008000080000000ULL;  // short PSW, EA/BA bits, OR address
inline constexpr uint64_t kExecPsw = kPswBase | kStage3;     // 0x000800008000A000
inline constexpr uint64_t kMinUnsignedLoad = 0x2000;         // BIOS secure-mode lower bound
}  // namespace address

// --- Stage 3 parameter block (`struct stage3_parms`, 80 bytes, at 0x9000) ---
namespace stage3_parms {
inline constexpr size_t kParmAddr = 0x00;
inline constexpr size_t kInitrdAddr = 0x08;
inline constexpr size_t kInitrdLen = 0x10;
inline constexpr size_t kLoadPsw = 0x18;
inline constexpr size_t kExtraParm = 0x20;
inline constexpr size_t kFlags = 0x28;
inline constexpr size_t kImageLen = 0x30;
inline constexpr size_t kImageAddr = 0x38;
inline constexpr size_t kEnvblkAddr = 0x40;
inline constexpr size_t kEnvblkLen = 0x48;
inline constexpr size_t kLength = 0x50;
static_assert(kEnvblkLen + 8 == kLength);
inline constexpr uint64_t kFlagScsi = 0x0001000000000000ULL;
inline constexpr uint64_t kFlagKdump = 0x0002000000000000ULL;
}  // namespace stage3_parms

// --- Bootmap file header (`struct bootmap_header`, first 512 bytes of <target>/bootmap) ---
namespace bootmap_header {
inline constexpr size_t kHeaderText = 0x000;  // 48 bytes, NUL padded
inline constexpr size_t kHeaderTextLength = 48;
inline constexpr std::string_view kText = "zSeries bootmap file\ncreated by zIPL\n";
inline constexpr size_t kVersion = 0x030;       // u64 = 1
inline constexpr size_t kEnvblkOffset = 0x038;  // u64
inline constexpr size_t kLength = 512;
static_assert(kText.size() <= kHeaderTextLength);
}  // namespace bootmap_header

// --- SCLAB origin locator: last 8 bytes of a signed component (zipl/boot/stage3.lds.S) ---
namespace sclab_locator {
inline constexpr size_t kLength = 8;        // reserved u16, length u16, magic "zIPL"
inline constexpr size_t kSclabLenFromEnd = 6;  // u16 SCLAB length at component_end - 6
inline constexpr size_t kMagicFromEnd = 4;     // "zIPL" at component_end - 4
inline constexpr uint16_t kMinSclabLength = 32;
}  // namespace sclab_locator

// DIAG 0x508 accepts at most this many bytes per component; we also bound a whole walk by it.
inline constexpr uint64_t kMaxComponentBytes = 256ULL * 1024 * 1024;

}  // namespace sipl::zipl
