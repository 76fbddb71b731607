// Fuzz target: the input bytes are a raw disk image; the boot-record walk must terminate and
// keep its invariants for every program the program table lists:
//   * total loaded bytes never exceed the walk's byte limit,
//   * every component's bytes are exactly its recorded length, which is the sum of its
//     extents in whole blocks, and a signature's bytes are exactly its sig_len,
//   * the last component of a walked program is EXEC.
// With no input (the ctest replay calls it once empty) it checks built-in seeds: a valid disk
// and deterministic byte mutations of its metadata blocks.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <array>
#include <random>

#include "sipl/fw/boot_record.h"
#include "sipl/image/disk_image.h"

namespace {

using namespace sipl;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "boot_record_fuzzer invariant violated: %s\n", what);
    std::abort();
  }
}

// Returns the number of programs that walked to EXEC.
unsigned walk_disk(ByteSpan bytes, uint32_t bs) {
  unsigned walked = 0;
  auto disk = image::DiskImage::from_memory(bytes, bs, "fuzz");
  if (!disk) return 0;
  auto map = fw::read_boot_map(*disk);
  if (!map) return 0;
  fw::WalkLimits limits;
  limits.max_total_bytes = 1 << 20;  // keep the fuzzer fast; the bound itself is under test
  const uint64_t bound = fw::effective_byte_limit(*disk, limits);
  for (unsigned i : map->used_entries()) {
    auto prog = fw::load_program(*disk, *map, i, limits);
    if (!prog) continue;
    uint64_t total = 0;
    for (const auto& c : prog->components) {
      uint64_t ext = 0;
      for (const auto& e : c.extents) ext += e.blocks() * bs;
      check(c.bytes.size() == c.length, "bytes.size() == length");
      check(ext == c.length, "length == sum of extents");
      if (c.signature) check(c.signature->bytes.size() == c.signature->length, "signature bytes == sig_len");
      total += c.length;
    }
    check(total == prog->loaded_bytes, "loaded_bytes is the sum");
    check(total <= bound, "total loaded bytes <= bound");
    check(!prog->components.empty() && prog->exec().type == fw::ComponentType::kExec, "ends in EXEC");
    ++walked;
  }
  return walked;
}

void put_be(Bytes& d, size_t off, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) d[off + i] = std::byte(static_cast<uint8_t>(v >> (8 * (width - 1 - i))));
}

// A valid 64-block disk: MBR, program table (block 2), component table (3) with LOAD (table
// 4, two extents + link to table 5), SIGNATURE (table 6 -> block 7) and EXEC.
Bytes seed_disk() {
  Bytes d(64 * 512, std::byte{0x5A});
  for (size_t b : {0, 2, 3, 4, 5, 6}) std::fill_n(d.begin() + b * 512, 512, std::byte{0});
  auto magic = [&](size_t off) {
    const char* m = "zIPL";
    for (int i = 0; i < 4; ++i) d[off + i] = std::byte(static_cast<uint8_t>(m[i]));
  };
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
  ptr(2 * 512 + 0x20, 3, 0);
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
  ptr(4 * 512 + 16, 20, 0);
  ptr(4 * 512 + 32, 5, 0);  // count-0 pointer followed by filler: a BIOS continuation
  std::fill_n(d.begin() + 4 * 512 + 48, 16, std::byte{0xAA});
  ptr(5 * 512, 30, 4);
  ptr(6 * 512, 7, 0);
  return d;
}

void builtin_seeds() {
  const Bytes seed = seed_disk();
  check(walk_disk(seed, 512) == 2, "the built-in seed disk walks (programs 0 and 1)");
  std::mt19937 rng(4);
  for (int round = 0; round < 3000; ++round) {
    Bytes m = seed;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t block = std::array<size_t, 6>{0, 2, 3, 4, 5, 6}[rng() % 6];
      m[block * 512 + rng() % 512] = std::byte(static_cast<uint8_t>(rng()));
    }
    walk_disk(m, 512);
  }
}

// libFuzzer runs the empty input first: with SIPL_FUZZ_SEED_OUT=FILE set, the built-in seed
// disk is written there so a fuzzing session can start from it (-seed_inputs or a corpus dir).
void write_seed_if_asked() {
  const char* out = std::getenv("SIPL_FUZZ_SEED_OUT");
  if (!out) return;
  const Bytes seed = seed_disk();
  if (FILE* f = std::fopen(out, "wb")) {
    std::fwrite(seed.data(), 1, seed.size(), f);
    std::fclose(f);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    write_seed_if_asked();
    return 0;
  }
  const ByteSpan bytes(reinterpret_cast<const std::byte*>(data), size);
  walk_disk(bytes, 512);
  if (size >= 2 * 4096) walk_disk(bytes, 4096);
  return 0;
}
