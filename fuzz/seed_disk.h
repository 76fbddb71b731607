// What the fuzz targets share for their built-in seeds: big-endian field stores, handing the
// seed to a libFuzzer session, and the small valid zipl disk that the boot-record walk and the
// whole simulated IPL start from. Header-only: fuzz/CMakeLists.txt builds each *_fuzzer.cc on
// its own, so a header needs no build change.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sipl/base/bytes.h"

namespace sipl::fuzz {

// Stores the low `width` bytes of `v` big-endian at `off`, growing `b` to fit.
inline void put_be(Bytes& b, size_t off, uint64_t v, int width) {
  if (b.size() < off + width) b.resize(off + width);
  for (int i = 0; i < width; ++i) b[off + i] = std::byte(static_cast<uint8_t>(v >> (8 * (width - 1 - i))));
}

// libFuzzer runs the empty input first: with SIPL_FUZZ_SEED_OUT=FILE set, the built-in seed is
// written there so a fuzzing session can start from it (-seed_inputs or a corpus dir).
inline void write_seed_if_asked(ByteSpan seed) {
  const char* out = std::getenv("SIPL_FUZZ_SEED_OUT");
  if (!out) return;
  if (FILE* f = std::fopen(out, "wb")) {
    std::fwrite(seed.data(), 1, seed.size(), f);
    std::fclose(f);
  }
}

// With SIPL_FUZZ_SEED_DIR=DIR set, every built-in seed a target runs (as the input bytes the
// target takes) is also written to DIR/seed-<n>: libFuzzer never stores the inputs the empty
// run makes up, so this is how they become files to start a session from or to merge
// (`-merge=1`) into the committed corpus.
inline void dump_seed(ByteSpan seed) {
  static const char* dir = std::getenv("SIPL_FUZZ_SEED_DIR");
  static unsigned n = 0;
  if (!dir) return;
  const std::string path = std::string(dir) + "/seed-" + std::to_string(n++);
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(seed.data(), 1, seed.size(), f);
    std::fclose(f);
  }
}

// The shape of the seed disk; the defaults are the one-program disk.
struct ZiplSeedShape {
  size_t blocks = 32;
  // A second program-table entry naming the same component table (program 1).
  bool second_program = false;
  // The LOAD's segment table (block 4) goes on: a 1-block extent at 20, a count-0 pointer to
  // block 5 followed by filler (a BIOS continuation), and block 5 with a 5-block extent at 30.
  bool continuation = false;
};

// Returns a valid zipl disk of 512-byte blocks (the rest filled with 0x5A): MBR -> program
// table (block 2) -> component table (3): LOAD 0x10000 (segment table 4 -> blocks 10..13),
// SIGNATURE (table 6 -> block 7, 200 bytes), LOAD 0x20000 (table 4), EXEC at 0xA000.
inline Bytes zipl_seed_disk(const ZiplSeedShape& shape = {}) {
  Bytes d(shape.blocks * 512, std::byte{0x5A});
  for (size_t b : {0, 2, 3, 4, 6}) std::fill_n(d.begin() + b * 512, 512, std::byte{0});
  if (shape.continuation) std::fill_n(d.begin() + 5 * 512, 512, std::byte{0});
  auto magic = [&](size_t off) {
    for (int i = 0; i < 4; ++i) d[off + i] = std::byte(static_cast<uint8_t>("zIPL"[i]));
  };
  // A block pointer: block number, block size 512, count of further blocks.
  auto ptr = [&](size_t off, uint64_t blk, uint16_t ct) {
    put_be(d, off, blk, 8);
    put_be(d, off + 8, 512, 2);
    put_be(d, off + 10, ct, 2);
  };
  magic(0);
  put_be(d, 4, 1, 4);
  ptr(0x10, 2, 0);
  magic(2 * 512);
  ptr(2 * 512 + 0x10, 3, 0);
  if (shape.second_program) ptr(2 * 512 + 0x20, 3, 0);
  magic(3 * 512);
  const size_t e0 = 3 * 512 + 32, e1 = e0 + 32, e2 = e1 + 32, e3 = e2 + 32;
  ptr(e0, 4, 0);
  d[e0 + 23] = std::byte{2};
  put_be(d, e0 + 24, 0x10000, 8);
  ptr(e1, 6, 0);
  d[e1 + 23] = std::byte{3};
  d[e1 + 24] = std::byte{1};
  put_be(d, e1 + 28, 200, 4);
  ptr(e2, 4, 0);
  d[e2 + 23] = std::byte{2};
  put_be(d, e2 + 24, 0x20000, 8);
  d[e3 + 23] = std::byte{1};
  put_be(d, e3 + 24, 0x000800008000A000ULL, 8);
  ptr(4 * 512, 10, 3);
  if (shape.continuation) {
    ptr(4 * 512 + 16, 20, 0);
    ptr(4 * 512 + 32, 5, 0);
    std::fill_n(d.begin() + 4 * 512 + 48, 16, std::byte{0xAA});
    ptr(5 * 512, 30, 4);
  }
  ptr(6 * 512, 7, 0);
  return d;
}

}  // namespace sipl::fuzz
