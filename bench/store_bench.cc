// Certificate-store build time: what `sipl certs` and every `sipl boot` pay first.
//   make bench   (or: build/default/bench/sipl_bench --benchmark_filter=Store)
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sipl/hv/certificate_store.h"
#include "support/certs.h"

namespace {

namespace fs = std::filesystem;

// A directory with `pems` copies of one certificate of `key_type` and `others` non-.pem files.
// Copies parse exactly like distinct certificates (same sizes, same work).
std::string make_dir(const std::string& key_type, int pems, int others) {
  static int seq = 0;
  fs::path dir = fs::temp_directory_path() / ("sipl-bench-" + std::to_string(getpid()) + "-" + std::to_string(seq++));
  fs::create_directories(dir);
  sipl::test::make_cert({.key_type = key_type}, (dir / "c0.pem").string());
  std::stringstream pem;
  pem << std::ifstream(dir / "c0.pem").rdbuf();
  for (int i = 1; i < pems; ++i) std::ofstream(dir / ("c" + std::to_string(i) + ".pem")) << pem.str();
  for (int i = 0; i < others; ++i) std::ofstream(dir / ("other" + std::to_string(i) + ".txt")) << "x";
  return dir.string();
}

void run(benchmark::State& state, const std::string& dir) {
  for (auto _ : state) {
    auto store = sipl::hv::CertificateStore::build({dir}, nullptr);
    if (!store || store->count() != 64) state.SkipWithError("store did not build");
    benchmark::DoNotOptimize(store);
  }
  fs::remove_all(dir);
}

void BM_StoreBuild_64_Rsa4096(benchmark::State& state) { run(state, make_dir("rsa4096", 64, 0)); }
void BM_StoreBuild_64_P384(benchmark::State& state) { run(state, make_dir("p384", 64, 0)); }
void BM_StoreBuild_10000Files_64Pem(benchmark::State& state) { run(state, make_dir("p384", 64, 10000 - 64)); }

BENCHMARK(BM_StoreBuild_64_Rsa4096)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StoreBuild_64_P384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StoreBuild_10000Files_64Pem)->Unit(benchmark::kMillisecond);

}  // namespace
