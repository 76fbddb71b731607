// A hand-made zipl SCSI-scheme disk for tests, written from the byte offsets of
// s390-tools zipl/include/bootmap.h, include/boot/boot_defs.h (deliberately not from
// include/sipl/image/zipl_layout.h, so a wrong offset there cannot hide in both the reader and its
// test).
#pragma once

#include <algorithm>
#include <cstdint>

#include "sipl/base/bytes.h"

namespace sipl::test {

inline void put_be(Bytes& d, uint64_t off, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) d[off + i] = std::byte(static_cast<uint8_t>(v >> (8 * (width - 1 - i))));
}

// A small valid SCSI-scheme disk:
//   block 0 MBR -> block 2 program table -> block 3 component table:
//     [0] LOAD 0x10000 via segment table 4 (full: 31..255 one-block extents + link) -> table 5
//     [1] SIGNATURE fmt 1, 100 bytes via table 6 -> block 7
//     [2] LOAD 0x20000 via table 8, whose slot 1 is a count-0 pointer followed by 0xAA filler
//         (a BIOS continuation pointer) to table 9
//     [3] EXEC 0x000800008000A000
struct TestDisk {
  explicit TestDisk(uint32_t bs) : bs(bs), slots(bs / 16) {
    blocks = 20 + (slots - 1) + 20;
    d.assign(blocks * bs, std::byte{0});
    for (uint64_t b = 1; b < blocks; ++b)
      for (uint32_t i = 0; i < bs; ++i) d[b * bs + i] = std::byte(static_cast<uint8_t>(b * 7 + i));
    for (uint64_t b : {1, 2, 3, 4, 5, 6, 8, 9}) std::fill_n(d.begin() + b * bs, bs, std::byte{0});
    magic(0);
    put_be(d, 4, 1, 4);
    ptr(0, 0x10, 2, 0);
    magic(2 * bs);
    ptr(2 * bs, 0x10, 3, 0);
    magic(3 * bs);
    entry(0, 4, 2, 0x10000);
    entry(1, 6, 3, 0);
    put_be(d, ent(1) + 24, 1, 1);
    put_be(d, ent(1) + 28, 100, 4);
    entry(2, 8, 2, 0x20000);
    entry(3, 0, 1, 0x000800008000A000ULL);
    for (uint32_t s = 0; s + 1 < slots; ++s) ptr(4 * bs, s * 16, 20 + s, 0);
    ptr(4 * bs, (slots - 1) * 16, 5, 0);
    first_data_end = 20 + slots - 1;
    ptr(5 * bs, 0, first_data_end + 2, 2);
    ptr(6 * bs, 0, 7, 0);
    ptr(8 * bs, 0, first_data_end + 8, 0);
    ptr(8 * bs, 16, 9, 0);
    std::fill_n(d.begin() + 8 * bs + 32, 16, std::byte{0xAA});
    ptr(9 * bs, 0, first_data_end + 9, 1);
  }
  void magic(uint64_t off) {
    d[off] = std::byte{'z'};
    d[off + 1] = std::byte{'I'};
    d[off + 2] = std::byte{'P'};
    d[off + 3] = std::byte{'L'};
  }
  void ptr(uint64_t off, uint64_t slot_off, uint64_t blockno, uint16_t ct, uint16_t size = 0) {
    put_be(d, off + slot_off, blockno, 8);
    put_be(d, off + slot_off + 8, size ? size : bs, 2);
    put_be(d, off + slot_off + 10, ct, 2);
  }
  uint64_t ent(unsigned i) const { return 3 * bs + 32 + 32 * i; }
  void entry(unsigned i, uint64_t seg, uint8_t type, uint64_t data) {
    if (seg) ptr(ent(i), 0, seg, 0);
    d[ent(i) + 23] = std::byte{type};
    put_be(d, ent(i) + 24, data, 8);
  }
  Bytes blocks_bytes(uint64_t first, uint64_t n) const {
    return Bytes(d.begin() + first * bs, d.begin() + (first + n) * bs);
  }

  uint32_t bs;
  uint32_t slots;
  uint64_t blocks;
  uint64_t first_data_end = 0;
  Bytes d;
};

}  // namespace sipl::test
