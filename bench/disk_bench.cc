// Boot-record walk of a real zipl disk (corpus disk-b: 11 entries, ~5.9 MB loaded) through raw,
// qcow2 and compressed qcow2 images. Run: make bench (or build/default/bench/sipl_bench
// --benchmark_filter=Walk); $SIPL_TEST_DATA overrides tests/data.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "sipl/fw/boot_record.h"
#include "sipl/image/disk_image.h"

namespace {

// Unpacks corpus disk-b from tests/data and makes the qcow2 variants once per run.
const std::string& fixture(const std::string& variant) {
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / "sipl-disk-bench").string();
    const char* env = std::getenv("SIPL_TEST_DATA");
    const std::string archive = std::string(env ? env : SIPL_TEST_DATA_DIR) + "/corpus/disks/disks.tar.xz";
    const std::string cmd = "mkdir -p '" + d + "' && cd '" + d + "' && { [ -f b.raw ] || { xz -dc '" + archive +
                            "' | tar -xO disk-b-secure.img > b.raw; }; } && { [ -f b.qcow2 ] || qemu-img convert -O qcow2 "
                            "b.raw b.qcow2; } && { [ -f bc.qcow2 ] || qemu-img convert -c -O qcow2 b.raw bc.qcow2; }";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "disk_bench: cannot make the fixtures from %s\n", archive.c_str());
      std::exit(3);
    }
    return d;
  }();
  static std::string path;
  path = dir + "/" + variant;
  return path;
}

void walk(benchmark::State& state, const std::string& variant) {
  const std::string path = fixture(variant);
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto disk = sipl::image::DiskImage::open(path);
    if (!disk) state.SkipWithError(disk.error().to_string().c_str());
    auto map = sipl::fw::read_boot_map(*disk);
    if (!map) state.SkipWithError(map.error().to_string().c_str());
    auto prog = sipl::fw::load_program(*disk, *map, 0);
    if (!prog) state.SkipWithError(prog.error().to_string().c_str());
    bytes += prog->loaded_bytes;
    benchmark::DoNotOptimize(prog->components.back().address);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_WalkRaw(benchmark::State& s) { walk(s, "b.raw"); }
void BM_WalkQcow2(benchmark::State& s) { walk(s, "b.qcow2"); }
void BM_WalkQcow2Compressed(benchmark::State& s) { walk(s, "bc.qcow2"); }

}  // namespace

BENCHMARK(BM_WalkRaw)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WalkQcow2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WalkQcow2Compressed)->Unit(benchmark::kMillisecond);
