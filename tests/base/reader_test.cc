#include "sipl/base/reader.h"

#include <gtest/gtest.h>

namespace sipl {
namespace {

Bytes bytes_of(std::initializer_list<unsigned> v) {
  Bytes b;
  for (unsigned x : v) b.push_back(std::byte(x));
  return b;
}

TEST(Reader, ReadsBigEndianAndAdvances) {
  Bytes b = bytes_of({0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07});
  Reader r(b, "disk.img", 100);
  EXPECT_EQ(r.u8("a"), 0x12);
  EXPECT_EQ(r.u16_be("b"), 0x3456);
  EXPECT_EQ(r.u32_be("c"), 0x789abcdeu);
  EXPECT_EQ(r.pos(), 7u);
  EXPECT_EQ(r.offset(), 107u);
  EXPECT_EQ(r.u64_be("d"), 0xf001020304050607ull);
  EXPECT_TRUE(r.empty());
}

TEST(Reader, ShortReadNamesWhatAndAbsoluteOffset) {
  Bytes b = bytes_of({1, 2, 3});
  Reader r(b, "disk.img", 4096);
  ASSERT_EQ(r.u8("x"), 1);
  auto v = r.u32_be("block length");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(v.error().where.offset, 4097u);
  EXPECT_EQ(v.error().to_string(),
            "disk.img: byte 4097: block length (4 bytes) runs past the end of the input at byte 4099");
  EXPECT_EQ(r.pos(), 1u);  // unchanged by the failed read
  EXPECT_FALSE(r.bytes(3, "tail"));
  EXPECT_FALSE(r.skip(3, "tail"));
  EXPECT_EQ(r.u16_be("y"), 0x0203);
  EXPECT_FALSE(r.u8("z"));
}

TEST(Reader, HugeLengthDoesNotOverflow) {
  Bytes b = bytes_of({1, 2});
  Reader r(b, "f");
  ASSERT_TRUE(r.u8("a"));
  EXPECT_FALSE(r.bytes(SIZE_MAX, "n"));
  EXPECT_FALSE(r.child(SIZE_MAX, "n"));
  EXPECT_FALSE(r.child_at(1, SIZE_MAX, "n"));
  EXPECT_FALSE(r.child_at(SIZE_MAX, 1, "n"));
  EXPECT_FALSE(r.u64_be_at(SIZE_MAX - 3, "n"));
  EXPECT_EQ(r.pos(), 1u);
}

TEST(Reader, ReadsAtFixedOffsetsWithoutMovingTheCursor) {
  Bytes b = bytes_of({0, 0, 0xab, 0xcd, 0, 0, 0, 7});
  Reader r(b, "SCLAB", 16);
  EXPECT_EQ(r.u16_be_at(2, "flags"), 0xabcd);
  EXPECT_EQ(r.u32_be_at(4, "length"), 7u);
  EXPECT_EQ(r.u8_at(3, "b"), 0xcd);
  EXPECT_EQ(r.pos(), 0u);
  auto v = r.u64_be_at(4, "address");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().to_string(), "SCLAB: byte 20: address (8 bytes) runs past the end of the input at byte 24");
}

TEST(Reader, ChildIsBoundedAndNeverReadsTheParent) {
  Bytes b = bytes_of({0, 2, 0xaa, 0xbb, 0xcc, 0xdd});
  Reader r(b, "IPL report", 32);
  auto len = r.u16_be("length");
  ASSERT_TRUE(len);
  auto c = r.child(*len, "the certificate list");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->base(), 34u);
  EXPECT_EQ(c->size(), 2u);
  EXPECT_EQ(r.pos(), 4u);  // the parent moved past the child
  EXPECT_EQ(c->u8("first"), 0xaa);
  // The parent has 0xcc 0xdd after the child; the child must not read them.
  auto v = c->u16_be("entry length");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().to_string(),
            "IPL report: byte 35: entry length (2 bytes) runs past the end of the certificate list at byte 36");
  EXPECT_EQ(c->u8("second"), 0xbb);
  EXPECT_TRUE(c->empty());
  EXPECT_EQ(r.u16_be("next"), 0xccdd);
}

TEST(Reader, ChildAtCarriesTheAbsoluteOffset) {
  Bytes b(64, std::byte{0});
  b[40] = std::byte{9};
  Reader r(b, "disk.qcow2", 1000);
  auto t = r.child_at(40, 8, "the L1 table");
  ASSERT_TRUE(t);
  EXPECT_EQ(r.pos(), 0u);
  EXPECT_EQ(t->offset(), 1040u);
  EXPECT_EQ(t->u8("entry"), 9);
  auto grand = t->child_at(4, 8, "an entry");
  ASSERT_FALSE(grand);
  EXPECT_EQ(grand.error().to_string(),
            "disk.qcow2: byte 1044: an entry (8 bytes) runs past the end of the L1 table at byte 1048");
  auto outside = r.child_at(60, 8, "the refcount table");
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().where.offset, 1060u);
}

TEST(Reader, SeekAndSkip) {
  Bytes b = bytes_of({1, 2, 3, 4});
  Reader r(b, "blk");
  ASSERT_TRUE(r.seek(4, "end"));
  EXPECT_TRUE(r.empty());
  auto s = r.seek(5, "next block");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().to_string(), "blk: byte 5: next block is past the end of the input at byte 4");
  ASSERT_TRUE(r.seek(1, "back"));
  ASSERT_TRUE(r.skip(2, "pad"));
  EXPECT_EQ(r.u8("last"), 4);
}

TEST(Reader, ErrorAtUsesTheSameLocation) {
  Bytes b(8);
  Reader r(b, "disk.img", 512);
  Error e = r.error_at(4, "bad magic");
  EXPECT_EQ(e.code, ErrorCode::kBadInput);
  EXPECT_EQ(e.to_string(), "disk.img: byte 516: bad magic");
}

}  // namespace
}  // namespace sipl

namespace sipl {
namespace {

TEST(Reader, FixedRecordChecksItsSizeOnce) {
  Bytes b = bytes_of({0xff, 0, 0, 0, 0, 0, 0, 0, 5, 0x02, 0x00, 0x00, 0x03});
  Reader r(b, "disk.img", 512);
  ASSERT_TRUE(r.skip(1, "pad"));
  auto p = r.fixed<12>("block pointer");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->offset(), 513u);
  EXPECT_EQ(p->u64_be<0>(), 5u);
  EXPECT_EQ(p->u16_be<8>(), 0x0200);
  EXPECT_EQ(p->u16_be<10>(), 3);
  EXPECT_TRUE(r.empty());
  auto q = r.fixed_at<16>(0, "component entry");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().to_string(),
            "disk.img: byte 512: component entry (16 bytes) runs past the end of the input at byte 525");
}

}  // namespace
}  // namespace sipl
