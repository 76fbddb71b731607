// The write side of zipl's SCSI scheme: lays out a raw disk the way zipl (s390-tools) does for
// a SCSI/NVMe target, from an x86 host where zipl does not run. s390-tools zipl/src/bootmap.c,
// zipl/include/bootmap.h.
//
// Per boot entry the component table holds, in zipl's order (s390-tools zipl/src/bootmap.c
// add_ipl_program): stage 3 heap and stack dummies, [stage 3 SIGNATURE] stage 3 LOAD 0xA000, stage
// 3 parameters LOAD 0x9000, [kernel SIGNATURE] kernel LOAD 0x10000, parmline LOAD, [initrd
// SIGNATURE] initrd LOAD, EXECUTE 0x000800008000A000. Unlike zipl, which references the kernel and
// initrd blocks of a file system in place, every component is copied into the disk (as zipl
// --add-files does), so the tail of a component's last block is zero padding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipl/base/byte_source.h"
#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/image/raw_image.h"

namespace sipl::image {

// zipl's --secure: kAuto writes a SIGNATURE entry for every file that carries an appended
// signature, kOn also fails when stage 3 or the kernel is unsigned, kOff writes none (the
// appended signatures are stripped from the loaded components in every mode).
enum class SecureMode { kAuto, kOn, kOff };
// Every mode, in the order `sipl mkdisk --secure` lists them.
inline constexpr SecureMode kSecureModes[] = {SecureMode::kAuto, SecureMode::kOn, SecureMode::kOff};

// Returns the mode for "auto", "1" or "0" (zipl's spellings), or a kUsage error.
Result<SecureMode> parse_secure_mode(std::string_view text);
// Returns "auto", "1" or "0".
std::string_view secure_mode_name(SecureMode mode);

// A file given to the writer: its path (for messages) and all of its bytes, read on demand
// (a FileSource for files; the planner reads only the trailers it checks).
struct BootFile {
  std::string path;
  SourceRange bytes;
};

// One bootable program: a kernel with optional initrd and parmline.
struct BootEntrySpec {
  std::string name;
  BootFile kernel;
  std::optional<BootFile> initrd;
  std::optional<std::string> parmline;
};

struct BootmapSpec {
  BootFile stage3;
  std::vector<BootEntrySpec> entries;  // [0] is the default; more than one makes a menu
  SecureMode secure = SecureMode::kAuto;
  uint32_t block_size = 512;           // 512 or 4096
  uint64_t first_block = 1;            // first block the layout may use (block 0 is the MBR)
  // zipl merges adjacent blocks into extents of at most 65536 blocks on SCSI (blockct 65535).
  uint32_t max_extent_blocks = 65536;
};

// What one component-table entry describes, for printing and JSON.
enum class ComponentKind {
  kHeap, kStack, kStage3Signature, kStage3, kStage3Parms, kKernelSignature, kKernel,
  kParmline, kInitrdSignature, kInitrd, kExecute
};
// Returns a short name ("heap", "stage3", "kernel signature", ...).
std::string_view component_kind_name(ComponentKind kind);

// An extent: `count` consecutive blocks starting at `block`.
struct Extent {
  uint64_t block = 0;
  uint64_t count = 0;
};

struct PlannedComponent {
  ComponentKind kind = ComponentKind::kExecute;
  uint8_t type = 0;            // zipl component type: 1 EXECUTE, 2 LOAD, 3 SIGNATURE
  uint64_t compdat = 0;        // load address, PSW, or the signature header as a u64
  std::string source;          // file the bytes came from ("" for generated ones)
  SourceRange data;            // bytes stored on disk (zero padded to whole blocks)
  uint32_t signature_length = 0;         // SIGNATURE entries: DER length
  std::vector<Extent> extents;           // where `data` lies, in load order
  std::vector<uint64_t> segment_tables;  // segment-table blocks, head first
  // Returns the number of bytes the firmware loads (whole blocks).
  uint64_t loaded_length(uint32_t block_size) const;
};

// The stage 3 parameter block of one entry (s390-tools zipl/boot/stage3.h struct stage3_parms), as
// written at 0x9000.
struct Stage3Parms {
  uint64_t parm_addr = 0, initrd_addr = 0, initrd_len = 0, load_psw = 0, extra_parm = 0,
           flags = 0, image_len = 0, image_addr = 0, envblk_addr = 0, envblk_len = 0;
};

struct PlannedEntry {
  std::string name;
  std::vector<PlannedComponent> components;  // component-table order, EXECUTE last
  Stage3Parms parms;
  uint64_t component_table_block = 0;
};

// The whole layout: every block the writer fills, and what goes into it.
struct Bootmap {
  uint32_t block_size = 512;
  std::vector<PlannedEntry> entries;
  uint64_t program_table_block = 0;
  uint64_t first_block = 0;  // first block used after block 0
  uint64_t end_block = 0;    // one past the last block used
  Bytes boot_record;         // bytes 0..151 of block 0 (the rest of block 0 is kept)
  // Each write: the block it starts at and its bytes (zero padded to whole blocks); ranges of
  // the input files or of metadata blocks built in memory, read when written.
  struct Write {
    uint64_t block = 0;
    SourceRange data;
  };
  std::vector<Write> writes;
  std::vector<std::string> warnings;  // e.g. zipl's "Size of signed file ... not a multiple"
};

// Returns the layout zipl would write for `spec`, with its block writes. The ranges in the
// result keep `spec`'s sources alive; of the files only the trailers are read (signature
// descriptors, SCLAB locators), the component bytes when the layout is written.
// Errors: kUsage for impossible requests (no entry, bad block size, --secure 1 with an
// unsigned stage 3 or kernel, parmline too long, components beyond 2 GiB), kBadInput for a
// malformed appended signature.
Result<Bootmap> build_bootmap(const BootmapSpec& spec);

// Returns the writes that put `bm` on a disk: bytes 0..151 of block 0 (the rest of block 0,
// e.g. a DOS partition table, is left alone as zipl does) and every block of the layout.
std::vector<ImageWrite> bootmap_image_writes(const Bootmap& bm);

// Returns the 80-byte stage 3 parameter block for `p` (big-endian fields).
Bytes encode_stage3_parms(const Stage3Parms& p);

}  // namespace sipl::image
