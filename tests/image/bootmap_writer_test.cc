// Bootmap writer: exact bytes of every structure, checked against the offsets and values of
// s390-tools zipl/include/bootmap.h, include/boot/boot_defs.h written out here as literals (not
// sipl's layout header), and through the separate test decoder in support/zipl_walk.
#include "sipl/image/bootmap_writer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "sipl/image/appended_signature.h"
#include "support/zipl_walk.h"

namespace sipl {
namespace {

using image::BootmapSpec;
using test::be;

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

ByteSpan span(const std::string& s) { return as_bytes(s); }
// The writer's input: a source owning a copy of `s`.
SourceRange src(const std::string& s) { return own(Bytes(span(s).begin(), span(s).end())); }

std::string render(const image::Bootmap& bm) {
  std::string img(bm.end_block * bm.block_size, '\0');
  for (const auto& w : image::bootmap_image_writes(bm)) {
    EXPECT_LE(w.offset + w.length, img.size());
    auto data = read_all(w.data);
    EXPECT_TRUE(data);
    if (data) std::memcpy(img.data() + w.offset, data->data(), data->size());
  }
  return img;
}

// A 16-byte linear block pointer as s390-tools zipl/include/bootmap.h lays it out.
std::string ptr(uint64_t block, uint16_t size, uint16_t blockct) {
  std::string s(16, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(block >> (56 - 8 * i));
  s[8] = static_cast<char>(size >> 8);
  s[9] = static_cast<char>(size & 0xFF);
  s[10] = static_cast<char>(blockct >> 8);
  s[11] = static_cast<char>(blockct & 0xFF);
  return s;
}

std::string u64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (56 - 8 * i));
  return s;
}

// A 32-byte component entry (zipl/include/bootmap.h struct component_entry): pointer, 7 zero bytes,
// type at 0x17, compdat at 0x18.
std::string entry(uint64_t table, uint8_t type, const std::string& compdat, uint16_t bs = 512) {
  std::string e = (table ? ptr(table, bs, 0) : std::string(16, '\0')) + std::string(7, '\0');
  e += static_cast<char>(type);
  return e + compdat;
}

struct Fixture {
  std::string stage3 = pattern(16384, 1), kernel = pattern(100000, 2), initrd = pattern(5000, 3);
  BootmapSpec spec(uint32_t bs = 512) {
    BootmapSpec s;
    s.stage3 = {"stage3.bin", src(stage3)};
    image::BootEntrySpec e;
    e.name = "linux";
    e.kernel = {"vmlinuz", src(kernel)};
    e.initrd = image::BootFile{"initrd.img", src(initrd)};
    e.parmline = "console=ttysclp0 rdinit=/init";
    s.entries.push_back(e);
    s.block_size = bs;
    return s;
  }
};

TEST(BootmapWriter, UnsignedEntryHasZiplBytesEverywhere) {
  Fixture f;
  auto bm = image::build_bootmap(f.spec());
  ASSERT_TRUE(bm) << bm.error().to_string();
  std::string img = render(*bm);
  // Blocks, in zipl's write order: heap 1..32 + table 33, stack 34..41 + 42, stage3 43..74 + 75,
  // parameters 76 + 77, kernel 78..273 + 274, parmline 275 + 276, initrd 277..286 + 287,
  // component table 288, program table 289.
  ASSERT_EQ(bm->end_block, 290u);
  // MBR (zipl/include/bootmap.h struct scsi_mbr): "zIPL", version 1, 8 reserved, pointer to the
  // program table, zeros to 0x98.
  std::string mbr = std::string("zIPL") + std::string("\0\0\0\1", 4) + std::string(8, '\0') + ptr(289, 512, 0) +
                    std::string(0x98 - 0x20, '\0');
  EXPECT_EQ(img.substr(0, 0x98), mbr);
  // Program table (zipl/src/bootmap.c): magic, 12 zero bytes, entry 0, nothing else.
  std::string pt = std::string("zIPL") + std::string(12, '\0') + ptr(288, 512, 0) + std::string(512 - 32, '\0');
  EXPECT_EQ(img.substr(289 * 512, 512), pt);
  // Component table (struct component_header, add_ipl_program order).
  std::string ct = std::string("zIPL") + std::string(28, '\0');
  ct += entry(33, 2, u64(0x2000));
  ct += entry(42, 2, u64(0xF000));
  ct += entry(75, 2, u64(0xA000));
  ct += entry(77, 2, u64(0x9000));
  ct += entry(274, 2, u64(0x10000));
  ct += entry(276, 2, u64(0x29000));  // 0x10000 + round_up(100000, 4096)
  ct += entry(287, 2, u64(0x30000));  // after the 4 KiB parmline page, 64 KiB aligned
  ct += entry(0, 1, std::string("\x00\x08\x00\x00\x80\x00\xA0\x00", 8));
  ct += std::string(512 - ct.size(), '\0');
  EXPECT_EQ(img.substr(288 * 512, 512), ct);
  // Segment tables (zipl/src/bootmap.c): extents, zero link slot 31.
  EXPECT_EQ(img.substr(274 * 512, 512), ptr(78, 512, 195) + std::string(496, '\0'));
  EXPECT_EQ(img.substr(33 * 512, 512), ptr(1, 512, 31) + std::string(496, '\0'));
  EXPECT_EQ(img.substr(287 * 512, 512), ptr(277, 512, 9) + std::string(496, '\0'));
  // Stage 3 parameters (zipl/boot/stage3.h struct stage3_parms) at block 76.
  std::string parms = u64(0x29000) + u64(0x30000) + u64(5000) + u64(0x0008000080010000ULL) + u64(0) +
                      u64(0x0001000000000000ULL) + u64(100000) + u64(0x10000) + u64(0) + u64(0);
  EXPECT_EQ(img.substr(76 * 512, 512), parms + std::string(512 - 80, '\0'));
  // Data: the files themselves, zero padded; the parmline NUL terminated.
  EXPECT_EQ(img.substr(43 * 512, 16384), f.stage3);
  EXPECT_EQ(img.substr(78 * 512, 100000), f.kernel);
  EXPECT_EQ(img.substr(78 * 512 + 100000, 196 * 512 - 100000), std::string(196 * 512 - 100000, '\0'));
  EXPECT_EQ(img.substr(275 * 512, 512), std::string("console=ttysclp0 rdinit=/init") + std::string(512 - 29, '\0'));
  EXPECT_EQ(img.substr(277 * 512, 5000), f.initrd);
  EXPECT_EQ(img.substr(1 * 512, 32 * 512), std::string(32 * 512, '\0'));
  EXPECT_TRUE(bm->warnings.empty());
}

TEST(BootmapWriter, SegmentTablesChainWithTheLinkInTheLastSlot) {
  Fixture f;
  f.kernel = pattern(40 * 512, 9);
  auto spec = f.spec();
  spec.entries[0].initrd.reset();
  spec.entries[0].parmline.reset();
  spec.max_extent_blocks = 1;  // one extent per block: 40 extents need two tables
  auto bm = image::build_bootmap(spec);
  ASSERT_TRUE(bm) << bm.error().to_string();
  std::string img = render(*bm);
  auto walk = test::walk_zipl_disk(img, 512);
  ASSERT_EQ(walk.error, "");
  const auto& k = walk.programs.at(0).components.at(4);
  ASSERT_EQ(k.compdat, 0x10000u);
  ASSERT_EQ(k.tables.size(), 2u);
  // zipl writes the tail table first: tail at the lower block, head links to it.
  EXPECT_EQ(k.tables[1] + 1, k.tables[0]);
  std::string head = img.substr(k.tables[0] * 512, 512), tail = img.substr(k.tables[1] * 512, 512);
  EXPECT_EQ(head.substr(31 * 16, 16), ptr(k.tables[1], 512, 0));
  EXPECT_EQ(head.substr(30 * 16, 16), ptr(k.extents[30].block, 512, 0));
  EXPECT_EQ(tail.substr(8 * 16, 16), ptr(k.extents[39].block, 512, 0));
  EXPECT_EQ(tail.substr(9 * 16), std::string(512 - 9 * 16, '\0'));
  EXPECT_EQ(k.loaded, f.kernel);
}

TEST(BootmapWriter, FourKiBBlocksUseSlot255AsLinkAndSizeField4096) {
  Fixture f;
  auto bm = image::build_bootmap(f.spec(4096));
  ASSERT_TRUE(bm) << bm.error().to_string();
  std::string img = render(*bm);
  auto walk = test::walk_zipl_disk(img, 4096);
  ASSERT_EQ(walk.error, "");
  // heap 1..4 + 5, stack 6 + 7, stage3 8..11 + 12, parms 13 + 14, kernel 15..39 + 40, ...
  EXPECT_EQ(img.substr(40 * 4096, 4096), ptr(15, 4096, 24) + std::string(4096 - 16, '\0'));
  EXPECT_EQ(img.substr(0x10, 16), ptr(bm->program_table_block, 4096, 0));
  const auto& comps = walk.programs.at(0).components;
  ASSERT_EQ(comps.size(), 8u);
  EXPECT_EQ(comps[4].loaded.substr(0, 100000), f.kernel);
  EXPECT_EQ(comps[4].loaded.size(), 25u * 4096);
}

TEST(BootmapWriter, MenuListsEveryEntryAndDefaultInEntryZero) {
  Fixture f;
  auto spec = f.spec();
  auto second = spec.entries[0];
  second.name = "rescue";
  second.parmline = "single";
  spec.entries.push_back(second);
  auto bm = image::build_bootmap(spec);
  ASSERT_TRUE(bm) << bm.error().to_string();
  auto walk = test::walk_zipl_disk(render(*bm), 512);
  ASSERT_EQ(walk.error, "");
  EXPECT_EQ(walk.program_entries[0], bm->entries[0].component_table_block);
  EXPECT_EQ(walk.program_entries[1], bm->entries[0].component_table_block);
  EXPECT_EQ(walk.program_entries[2], bm->entries[1].component_table_block);
  EXPECT_EQ(walk.program_entries[3], 0u);
  EXPECT_EQ(walk.programs.at(2).components.at(5).loaded.substr(0, 7), std::string("single\0", 7));
}

TEST(BootmapWriter, NoParmlineMeansAllOnesAddressAndInitrdAfterKernel) {
  Fixture f;
  auto spec = f.spec();
  spec.entries[0].parmline.reset();
  auto bm = image::build_bootmap(spec);
  ASSERT_TRUE(bm) << bm.error().to_string();
  EXPECT_EQ(bm->entries[0].parms.parm_addr, ~uint64_t{0});
  EXPECT_EQ(bm->entries[0].parms.initrd_addr, 0x30000u);  // 0x29000 rounded to 64 KiB
  EXPECT_EQ(bm->entries[0].components.size(), 7u);
}

TEST(BootmapWriter, SecureOneRefusesUnsignedStage3AndKernel) {
  Fixture f;
  auto spec = f.spec();
  spec.secure = image::SecureMode::kOn;
  auto bm = image::build_bootmap(spec);
  ASSERT_FALSE(bm);
  EXPECT_EQ(bm.error().code, ErrorCode::kBadInput);  // exit 3: the input files are wrong, not the options
  EXPECT_EQ(bm.error().message,
            "Could not install Secure Boot IPL records: Missing signature in internal loader file stage3.bin");
  std::string signed_stage3 = to_string(image::append_signature(span(f.stage3), as_bytes("DER")));
  spec.stage3.bytes = src(signed_stage3);
  bm = image::build_bootmap(spec);
  ASSERT_FALSE(bm);
  EXPECT_EQ(bm.error().message, "Could not install Secure Boot IPL records: Missing signature in image file vmlinuz");
}

TEST(BootmapWriter, RejectsImpossibleRequests) {
  Fixture f;
  auto spec = f.spec();
  spec.block_size = 1024;
  EXPECT_EQ(image::build_bootmap(spec).error().message, "block size must be 512 or 4096, not 1024");
  spec = f.spec();
  spec.entries[0].parmline = std::string(4096, 'x');
  EXPECT_EQ(image::build_bootmap(spec).error().message, "parmline of entry 'linux' is 4096 bytes; at most 4095 fit");
  spec = f.spec();
  spec.entries.clear();
  EXPECT_EQ(image::build_bootmap(spec).error().message, "at least one boot entry (a kernel) is needed");
}

}  // namespace
}  // namespace sipl
