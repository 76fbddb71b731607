// Bootmap writer speed: planning a layout for a corpus-sized entry (5 MiB kernel, 800 KiB
// initrd, both signed) and writing the image atomically to a temporary file, raw and qcow2.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "sipl/image/appended_signature.h"
#include "sipl/image/bootmap_writer.h"
#include "sipl/image/qcow2_image.h"
#include "sipl/image/raw_image.h"

namespace {

using namespace sipl;

struct Inputs {
  Bytes stage3 = image::append_signature(Bytes(16384, std::byte{1}), Bytes(419, std::byte{0x30}));
  Bytes kernel = image::append_signature(Bytes(5066752, std::byte{2}), Bytes(419, std::byte{0x30}));
  Bytes initrd = image::append_signature(Bytes(802584, std::byte{3}), Bytes(419, std::byte{0x30}));
  image::BootmapSpec spec() const {
    image::BootmapSpec s;
    s.stage3 = {"stage3.bin", own(stage3)};
    image::BootEntrySpec e;
    e.name = "linux";
    e.kernel = {"vmlinuz", own(kernel)};
    e.initrd = image::BootFile{"initrd.img", own(initrd)};
    e.parmline = "console=ttysclp0 rdinit=/init";
    s.entries.push_back(e);
    return s;
  }
};

void BM_BuildBootmap(benchmark::State& state) {
  Inputs in;
  auto spec = in.spec();
  for (auto _ : state) {
    auto bm = image::build_bootmap(spec);
    benchmark::DoNotOptimize(bm);
  }
}
BENCHMARK(BM_BuildBootmap);

void BM_WriteImageAtomic(benchmark::State& state) {
  Inputs in;
  auto bm = image::build_bootmap(in.spec());
  auto writes = image::bootmap_image_writes(*bm);
  std::string path = "/tmp/sipl-bench-mkdisk.img";
  for (auto _ : state) {
    auto st = image::write_image_atomic(path, "", 8ull << 20, writes);
    if (!st) state.SkipWithError(st.error().to_string().c_str());
  }
  std::remove(path.c_str());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (bm->end_block * bm->block_size));
}
BENCHMARK(BM_WriteImageAtomic)->Unit(benchmark::kMillisecond);

// The same layout as a new qcow2 image (metadata, then the data clusters in guest order).
void BM_WriteQcow2Atomic(benchmark::State& state) {
  Inputs in;
  auto bm = image::build_bootmap(in.spec());
  auto writes = image::bootmap_image_writes(*bm);
  std::string path = "/tmp/sipl-bench-mkdisk.qcow2";
  for (auto _ : state) {
    auto st = image::write_qcow2_atomic(path, 8ull << 20, writes);
    if (!st) state.SkipWithError(st.error().to_string().c_str());
  }
  std::remove(path.c_str());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (bm->end_block * bm->block_size));
}
BENCHMARK(BM_WriteQcow2Atomic)->Unit(benchmark::kMillisecond);

}  // namespace
