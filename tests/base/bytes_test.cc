#include "sipl/base/bytes.h"

#include <gtest/gtest.h>

namespace sipl {
namespace {

Bytes bytes_of(std::initializer_list<unsigned> v) {
  Bytes b;
  for (unsigned x : v) b.push_back(std::byte(x));
  return b;
}

TEST(ByteReader, ReadsBigEndianAndAdvances) {
  Bytes b = bytes_of({0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07});
  ByteReader r(b);
  EXPECT_EQ(r.u8(), 0x12);
  EXPECT_EQ(r.u16_be(), 0x3456);
  EXPECT_EQ(r.u32_be(), 0x789abcdeu);
  EXPECT_EQ(r.offset(), 7u);
  EXPECT_EQ(r.u64_be(), 0xf001020304050607ull);
  EXPECT_FALSE(r.u8().has_value());
}

TEST(ByteReader, ShortReadLeavesCursorUnchanged) {
  Bytes b = bytes_of({1, 2, 3});
  ByteReader r(b);
  EXPECT_FALSE(r.u32_be().has_value());
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_FALSE(r.bytes(4).has_value());
  EXPECT_FALSE(r.skip(4));
  EXPECT_EQ(r.u16_be(), 0x0102);
  EXPECT_FALSE(r.u16_be().has_value());
  EXPECT_EQ(r.u8(), 3);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_FALSE(r.u8().has_value());
}

TEST(ByteReader, HugeLengthDoesNotOverflow) {
  Bytes b = bytes_of({1, 2});
  ByteReader r(b);
  r.u8();
  EXPECT_FALSE(r.bytes(SIZE_MAX).has_value());
  EXPECT_FALSE(r.skip(SIZE_MAX));
  EXPECT_FALSE(r.seek(3));
  EXPECT_TRUE(r.seek(2));
}

TEST(ByteWriter, WritesBigEndianAndAligns) {
  ByteWriter w;
  w.u8(0xAA);
  w.u16_be(0x0102);
  w.u32_be(0x03040506);
  w.u64_be(0x0708090a0b0c0d0eull);
  w.align_to(4);
  EXPECT_EQ(to_hex(w.data()), "aa0102030405060708090a0b0c0d0e00");
}

TEST(Store, FieldsAtOffsets) {
  Bytes b(16);
  store_u32_be(b, 0, 0xdeadbeef);
  store_u16_be(b, 4, 0x1234);
  store_u64_be(b, 8, 0x1122334455667788ull);
  EXPECT_EQ(to_hex(b), "deadbeef123400001122334455667788");
  EXPECT_EQ(load_u32_be(b, 0), 0xdeadbeefu);
  EXPECT_EQ(load_u64_be(b, 8), 0x1122334455667788ull);
}

TEST(Hexdump, FormatsLikeXxd) {
  EXPECT_EQ(hexdump(as_bytes("ABCDEFGHIJKLMNOPQ")),
            "00000000: 4142 4344 4546 4748 494a 4b4c 4d4e 4f50  ABCDEFGHIJKLMNOP\n"
            "00000010: 51                                       Q\n");
}

TEST(RoundUp, Values) {
  EXPECT_EQ(round_up(0, 4), 0u);
  EXPECT_EQ(round_up(1, 4), 4u);
  EXPECT_EQ(round_up(4096, 4096), 4096u);
  EXPECT_EQ(round_up(4097, 4096), 8192u);
}

}  // namespace
}  // namespace sipl
