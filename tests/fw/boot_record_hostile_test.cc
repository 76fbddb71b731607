// Hand-made disks (offsets written from s390-tools zipl/include/bootmap.h, include/boot/boot_defs.h
// in this file, not from the layout header) walked correctly, and every malformed variant refused
// with its exact message.
#include <gtest/gtest.h>

#include "sipl/fw/boot_record.h"
#include "support/zipl_test_disk.h"

namespace sipl::fw {
namespace {

using test::put_be;
using test::TestDisk;

Result<Program> walk(const TestDisk& t, unsigned loadparm = 0, WalkLimits limits = {},
                     std::vector<std::string>* warnings = nullptr) {
  auto disk = image::DiskImage::from_memory(t.d, t.bs, "mem");
  if (!disk) return tl::unexpected(disk.error());
  auto map = read_boot_map(*disk);
  if (!map) return tl::unexpected(map.error());
  if (warnings) *warnings = map->warnings;
  return load_program(*disk, *map, loadparm, limits);
}

std::string walk_error(const TestDisk& t, unsigned loadparm = 0, WalkLimits limits = {}) {
  auto p = walk(t, loadparm, limits);
  EXPECT_FALSE(p) << "hostile disk was accepted";
  return p ? "" : p.error().to_string();
}

void expect_valid_walk(uint32_t bs) {
  TestDisk t(bs);
  auto p = walk(t);
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->components.size(), 4u);
  const auto& c0 = p->components[0];
  EXPECT_EQ(c0.type, ComponentType::kLoad);
  EXPECT_EQ(c0.address, 0x10000u);
  EXPECT_EQ(c0.segment_table_blocks, (std::vector<uint64_t>{4, 5}));
  ASSERT_EQ(c0.extents.size(), t.slots - 1 + 1);
  EXPECT_EQ(c0.length, (t.slots - 1 + 3) * uint64_t{bs});
  Bytes want = t.blocks_bytes(20, t.slots - 1);
  Bytes tail = t.blocks_bytes(t.first_data_end + 2, 3);
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_TRUE(c0.bytes.to_bytes().value() == want);
  const auto& c1 = p->components[1];
  EXPECT_EQ(c1.type, ComponentType::kSignature);
  EXPECT_EQ(c1.length, bs);
  ASSERT_TRUE(c1.signature);
  EXPECT_EQ(c1.signature->format, 1);
  EXPECT_EQ(c1.signature->length, 100u);
  Bytes sig = t.blocks_bytes(7, 1);
  sig.resize(100);
  EXPECT_TRUE(c1.signature->bytes == sig);
  const auto& c2 = p->components[2];
  EXPECT_EQ(c2.segment_table_blocks, (std::vector<uint64_t>{8, 9}));
  EXPECT_EQ(c2.length, 3u * bs);  // 1 block from table 8, 2 from table 9 (the 0xAA link)
  const auto& c3 = p->components[3];
  EXPECT_EQ(c3.type, ComponentType::kExec);
  EXPECT_EQ(c3.address, 0x000800008000A000ULL);
  EXPECT_EQ(p->loaded_bytes, c0.length + c1.length + c2.length);
}

TEST(BootRecordWalk, Valid512) { expect_valid_walk(512); }
TEST(BootRecordWalk, Valid4096) { expect_valid_walk(4096); }

TEST(BootRecordWalk, UnknownVersionWarnsAsTheBios) {
  TestDisk t(512);
  put_be(t.d, 4, 2, 4);
  std::vector<std::string> warnings;
  ASSERT_TRUE(walk(t, 0, {}, &warnings));
  EXPECT_EQ(warnings, std::vector<std::string>{"Unknown MBR layout version, assuming version 1"});
}

TEST(BootRecordHostile, MagicMissing) {
  TestDisk t(512);
  t.d[0] = std::byte{'x'};
  EXPECT_EQ(walk_error(t),
            "mem: block 0: no zIPL boot record (magic is 7849504c, expected 7a49504c \"zIPL\"): not "
            "a zipl SCSI-scheme boot disk");
}

TEST(BootRecordHostile, NullProgramTablePointer) {
  TestDisk t(512);
  put_be(t.d, 0x10, 0, 8);
  EXPECT_EQ(walk_error(t), "mem: block 0: boot record has no program table pointer (block number 0)");
}

TEST(BootRecordHostile, ProgramTablePastEnd) {
  TestDisk t(512);
  put_be(t.d, 0x10, 1000, 8);
  EXPECT_EQ(walk_error(t),
            "mem: block 0: program table pointer to block 1000 is past the end of the image (71 blocks "
            "of 512 bytes)");
}

TEST(BootRecordHostile, ProgramTableWithoutMagicOrEntries) {
  TestDisk t(512);
  t.d[2 * 512 + 3] = std::byte{0};
  EXPECT_EQ(walk_error(t), "mem: block 2: program table has no zIPL magic");
  TestDisk e(512);
  put_be(e.d, 2 * 512 + 0x10, 0, 8);
  EXPECT_EQ(walk_error(e), "mem: block 2: program table has no entries");
}

TEST(BootRecordHostile, EmptyProgramEntry) {
  TestDisk t(512);
  EXPECT_EQ(walk_error(t, 5), "mem: block 2: program table entry 5 is empty (loadparm 5 selects nothing)");
}

TEST(BootRecordHostile, ComponentTablePastEndOrWithoutMagic) {
  TestDisk t(512);
  put_be(t.d, 2 * 512 + 0x10, 71, 8);
  EXPECT_EQ(walk_error(t),
            "mem: block 2: program table entry 0 points to block 71, past the end of the image (71 "
            "blocks)");
  TestDisk m(512);
  m.d[3 * 512] = std::byte{0};
  EXPECT_EQ(walk_error(m), "mem: block 3: component table of program 0 has no zIPL magic");
}

TEST(BootRecordHostile, MissingExec) {
  TestDisk t(512);
  for (unsigned i = 0; i < 15; ++i) t.entry(i, 6, 2, 0x30000);
  EXPECT_EQ(walk_error(t), "mem: block 3: component table has no EXEC entry in its 15 entries");
}

TEST(BootRecordHostile, UnknownEntryType) {
  TestDisk t(512);
  t.d[t.ent(2) + 23] = std::byte{0x07};
  EXPECT_EQ(walk_error(t), "mem: block 3: component table entry 2 has unknown type 0x07");
}

TEST(BootRecordHostile, EntryWithoutSegmentTable) {
  TestDisk t(512);
  put_be(t.d, t.ent(1), 0, 8);
  EXPECT_EQ(walk_error(t), "mem: block 3: component table entry 1 (signature) has no segment table (block number 0)");
}

TEST(BootRecordHostile, SegmentTableCycle) {
  TestDisk t(512);
  t.ptr(4 * 512, 31 * 16, 4, 0);  // the link slot of table 4 points back to table 4
  EXPECT_EQ(walk_error(t), "mem: block 4: segment table chain of component table entry 0 loops back to block 4");
}

TEST(BootRecordHostile, LongerCycleThroughTwoTables) {
  TestDisk t(512);
  t.ptr(9 * 512, 16, 8, 0);  // table 9: data, then a count-0 link to table 8 before filler
  std::fill_n(t.d.begin() + 9 * 512 + 32, 16, std::byte{0xAA});
  EXPECT_EQ(walk_error(t), "mem: block 9: segment table chain of component table entry 2 loops back to block 8");
}

TEST(BootRecordHostile, SegmentTablePastEnd) {
  TestDisk t(512);
  t.ptr(t.ent(0), 0, 5000, 0);
  EXPECT_EQ(walk_error(t),
            "mem: block 3: component table entry 0: segment table block 5000 is past the end of the "
            "image (71 blocks)");
}

TEST(BootRecordHostile, ExtentPastEnd) {
  TestDisk t(512);
  t.ptr(6 * 512, 0, 70, 5);
  EXPECT_EQ(walk_error(t),
            "mem: block 6: segment table slot 0: extent of 6 blocks at block 70 is past the end of the "
            "image (71 blocks)");
}

TEST(BootRecordHostile, HugeBlockCount) {
  TestDisk t(512);
  t.ptr(6 * 512, 0, 7, 0xFFFF);
  EXPECT_EQ(walk_error(t),
            "mem: block 6: segment table slot 0: extent of 65536 blocks at block 7 is past the end of "
            "the image (71 blocks)");
}

TEST(BootRecordHostile, ExtentSizeNotBlockSize) {
  TestDisk t(512);
  t.ptr(6 * 512, 0, 7, 0, 4096);
  EXPECT_EQ(walk_error(t), "mem: block 6: segment table slot 0: extent block size 4096 is not the disk block size 512");
}

TEST(BootRecordHostile, CountedLinkSlotOn512ByteBlocks) {
  TestDisk t(512);
  t.ptr(4 * 512, 31 * 16, 5, 3);
  EXPECT_EQ(walk_error(t),
            "mem: block 4: segment table slot 31 (the link slot) has blockct 3; a link must have "
            "blockct 0");
}

TEST(BootRecordHostile, ByteLimit) {
  TestDisk t(512);
  WalkLimits limits;
  limits.max_total_bytes = 8192;
  auto p = walk(t, 0, limits);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kLimit);
  EXPECT_EQ(p.error().to_string(), "mem: block 4: program 0 loads more than 8192 bytes (component table entry 0)");
}

TEST(BootRecordHostile, SameExtentFromManyEntriesIsBoundedByTheLimit) {
  // 14 LOAD entries each loading the whole image but block 0: 14 x 35 KiB, over a 256 KiB limit.
  TestDisk t(512);
  for (unsigned i = 0; i < 14; ++i) t.entry(i, 6, 2, 0x30000);
  t.entry(14, 0, 1, 0x000800008000A000ULL);
  t.ptr(6 * 512, 0, 1, 69);
  WalkLimits limits;
  limits.max_total_bytes = 256 * 1024;
  EXPECT_EQ(walk_error(t, 0, limits), "mem: block 6: program 0 loads more than 262144 bytes (component table entry 7)");
}

TEST(BootRecordHostile, SignatureLongerThanItsBlocks) {
  TestDisk t(512);
  put_be(t.d, t.ent(1) + 28, 600, 4);
  EXPECT_EQ(walk_error(t), "mem: block 3: SIGNATURE entry 1: sig_len 600 is longer than the 512 bytes its blocks hold");
}

TEST(BootRecordHostile, SignatureLargerThanTheBiosBuffer) {
  TestDisk t(512);
  t.ptr(6 * 512, 0, 20, 8);
  EXPECT_EQ(walk_error(t),
            "mem: block 3: SIGNATURE entry 1 loads 4608 bytes, more than the BIOS's 4096-byte "
            "signature buffer");
}

TEST(BootRecordHostile, TooSmallImage) {
  Bytes tiny(100);
  auto disk = image::DiskImage::from_memory(tiny, 512, "mem");
  ASSERT_TRUE(disk);
  auto map = read_boot_map(*disk);
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().to_string(), "mem: image of 100 bytes is smaller than one 512-byte block");
}

}  // namespace
}  // namespace sipl::fw
