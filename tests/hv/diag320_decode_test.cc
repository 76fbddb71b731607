// Reading DIAG 0x320 blocks back: hand-assembled blocks (offsets from QEMU target/s390x/diag.c
// handle_diag_320, include/hw/s390x/ipl/diag320.h) decode to their fields, and every out-of-bounds
// length is refused with its byte offset.
#include "sipl/hv/diag320_decode.h"

#include <gtest/gtest.h>

namespace sipl::hv {
namespace {

void put32(Bytes& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = std::byte(v >> (24 - 8 * i));
}
void put16(Bytes& b, size_t off, uint16_t v) {
  b[off] = std::byte(v >> 8);
  b[off + 1] = std::byte(v);
}

// A VCB with one valid VCE (DER of 5 bytes) and one 72-byte invalid VCE.
Bytes sample_vcb() {
  const uint32_t full = 128 + 32 + 32 + 8;
  Bytes b(64 + full + 72, std::byte{0});
  put32(b, 0, 4096);
  put16(b, 8, 1);
  put16(b, 10, 2);
  put32(b, 32, uint32_t(b.size()));
  put16(b, 40, 2);
  size_t v = 64;
  put32(b, v, full);
  b[v + 4] = std::byte{0x80};
  b[v + 5] = std::byte{1};
  put16(b, v + 6, 1);
  for (size_t i = 0; i < 64; ++i) b[v + 8 + i] = std::byte{0x40};
  b[v + 8] = std::byte{0xC1};  // EBCDIC 'A'
  b[v + 72] = std::byte{1};
  put16(b, v + 74, 32);
  b[v + 77] = std::byte{1};
  put16(b, v + 78, 32);
  put32(b, v + 84, 5);
  put16(b, v + 96, 160);
  put16(b, v + 98, 192);
  for (size_t i = 0; i < 32; ++i) b[v + 128 + i] = std::byte{0x11};
  for (size_t i = 0; i < 32; ++i) b[v + 160 + i] = std::byte{0x22};
  for (size_t i = 0; i < 5; ++i) b[v + 192 + i] = std::byte{0x30};
  v += full;
  put32(b, v, 72);
  put16(b, v + 6, 2);
  for (size_t i = 0; i < 64; ++i) b[v + 8 + i] = std::byte{0x40};
  b[v + 8] = std::byte{0xC2};  // 'B'
  return b;
}

TEST(Diag320Decode, VcbAndEntriesDecode) {
  Bytes b = sample_vcb();
  auto f = decode_vcb(b);
  ASSERT_TRUE(f) << f.error().to_string();
  EXPECT_EQ(f->in_len, 4096u);
  EXPECT_EQ(f->first_vc_index, 1);
  EXPECT_EQ(f->last_vc_index, 2);
  EXPECT_EQ(f->out_len, b.size());
  EXPECT_EQ(f->stored_ct, 2);
  EXPECT_EQ(f->remain_ct, 0);
  ASSERT_EQ(f->entries.size(), 2u);
  const auto& a = f->entries[0];
  EXPECT_EQ(a.offset, 64u);
  EXPECT_TRUE(a.valid);
  EXPECT_EQ(a.key_type, 1);
  EXPECT_EQ(a.cert_idx, 1);
  EXPECT_EQ(a.name, "A");
  EXPECT_EQ(a.cert_len, 5u);
  EXPECT_EQ(a.key_id.size(), 32u);
  EXPECT_EQ(a.key_id[0], std::byte{0x11});
  EXPECT_EQ(a.hash[31], std::byte{0x22});
  EXPECT_EQ(Bytes(a.cert.begin(), a.cert.end()), Bytes(5, std::byte{0x30}));
  const auto& inv = f->entries[1];
  EXPECT_FALSE(inv.valid);
  EXPECT_EQ(inv.len, 72u);
  EXPECT_EQ(inv.name, "B");
  EXPECT_TRUE(inv.cert.empty());
}

TEST(Diag320Decode, OutLenBeyondTheBlockIsRefused) {
  Bytes b = sample_vcb();
  put32(b, 32, uint32_t(b.size() + 4));
  auto f = decode_vcb(b);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().to_string(),
            "VCB: byte 32: VCB out_len 340 is outside [64, 336] (the block's size)");
}

TEST(Diag320Decode, VceLengthPastOutLenIsRefused) {
  Bytes b = sample_vcb();
  put32(b, 64, 1000);
  auto f = decode_vcb(b);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().to_string(), "VCB: byte 64: VCE length 1000 must be a multiple of 4 from 72 to the 272 bytes left "
            "before out_len");
}

TEST(Diag320Decode, CertificateFieldOutsideTheVceIsRefused) {
  Bytes b = sample_vcb();
  put32(b, 64 + 84, 9);  // cert_len 9 at offset 192 of a 200-byte VCE
  auto f = decode_vcb(b);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().to_string(),
            "VCB: byte 64: VCE certificate field (9 bytes at offset 192) lies outside the 200-byte entry");
}

TEST(Diag320Decode, StoredCountMustMatchTheEntries) {
  Bytes b = sample_vcb();
  put16(b, 40, 3);
  auto f = decode_vcb(b);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().to_string(), "VCB: byte 40: VCB holds 2 VCEs but stored_ct is 3");
}

TEST(Diag320Decode, ShortBlocksAreRefused) {
  EXPECT_FALSE(decode_vcb(Bytes(63)));
  EXPECT_FALSE(decode_vcssb(Bytes(127)));
  auto ism = decode_ism(Bytes(2), "ism.bin");
  ASSERT_FALSE(ism);
  EXPECT_EQ(ism.error().to_string(), "ism.bin: byte 0: ISM is 2 bytes, shorter than its 4-byte word");
}

// A block read back from the guest is located in guest memory: the offsets are addresses
// (0x2000 = 8192, the BIOS's block; VCE at +64, its length field).
TEST(Diag320Decode, GuestMemoryLocationsAreAddresses) {
  Bytes b = sample_vcb();
  put32(b, 64, 1000);
  auto f = decode_vcb(b, "guest memory", 0x2000);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().where.path, "guest memory");
  EXPECT_EQ(f.error().where.offset, 0x2000u + 64);
  EXPECT_EQ(f.error().to_string(), "guest memory: byte 8256: VCE length 1000 must be a multiple of 4 from 72 to the "
            "272 bytes left before out_len");
  auto v = decode_vcssb(Bytes(127), "guest memory", 0x3000);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().to_string(), "guest memory: byte 12288: VCSSB is 127 bytes, expected 128");
}

TEST(Diag320Decode, VcssbFields) {
  Bytes b(128, std::byte{0});
  put32(b, 0, 128);
  put16(b, 32, 3);
  put16(b, 34, 64);
  put32(b, 80, 1234);
  put32(b, 84, 5678);
  auto f = decode_vcssb(b);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->length, 128u);
  EXPECT_EQ(f->total_vc_ct, 3);
  EXPECT_EQ(f->max_vc_ct, 64);
  EXPECT_EQ(f->max_single_vcb_len, 1234u);
  EXPECT_EQ(f->total_vcb_len, 5678u);
}

}  // namespace
}  // namespace sipl::hv
