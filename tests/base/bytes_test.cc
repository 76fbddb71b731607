#include "sipl/base/bytes.h"

#include <gtest/gtest.h>

namespace sipl {
namespace {

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
