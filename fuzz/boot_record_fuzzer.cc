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
#include "seed_disk.h"

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

// A valid 64-block disk with two programs and a segment-table continuation (fuzz/seed_disk.h).
Bytes seed_disk() { return fuzz::zipl_seed_disk({.blocks = 64, .second_program = true, .continuation = true}); }

void builtin_seeds() {
  const Bytes seed = seed_disk();
  fuzz::dump_seed(seed);
  check(walk_disk(seed, 512) == 2, "the built-in seed disk walks (programs 0 and 1)");
  std::mt19937 rng(4);
  for (int round = 0; round < 3000; ++round) {
    Bytes m = seed;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t block = std::array<size_t, 6>{0, 2, 3, 4, 5, 6}[rng() % 6];
      m[block * 512 + rng() % 512] = std::byte(static_cast<uint8_t>(rng()));
    }
    fuzz::dump_seed(m);
    walk_disk(m, 512);
  }
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    fuzz::write_seed_if_asked(seed_disk());
    return 0;
  }
  const ByteSpan bytes(reinterpret_cast<const std::byte*>(data), size);
  walk_disk(bytes, 512);
  if (size >= 2 * 4096) walk_disk(bytes, 4096);
  return 0;
}
