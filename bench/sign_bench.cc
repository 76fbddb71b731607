// Signing cost (`sipl sign` without the file I/O): SHA-256 of the component plus one
// private-key operation, next to a bare SHA-256 of the same bytes (the floor).
//   make bench   (or: build/default/bench/sipl_bench --benchmark_filter=Sign)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sipl/base/file.h"
#include "sipl/image/sign.h"
#include "support/certs.h"

namespace {

namespace fs = std::filesystem;

struct Signer {
  sipl::crypto::PrivateKey key;
  sipl::crypto::Certificate cert;
};

Signer make_signer(const std::string& key_type) {
  fs::path dir = fs::temp_directory_path() / ("sipl-sign-bench-" + std::to_string(getpid()) + key_type);
  fs::create_directories(dir);
  sipl::test::make_cert({.key_type = key_type, .key_usage = "digitalSignature"}, (dir / "c.pem").string(),
                        (dir / "c.key").string());
  auto key = sipl::crypto::PrivateKey::load((dir / "c.key").string());
  auto pem = sipl::read_file((dir / "c.pem").string(), 1 << 20);
  auto cert = sipl::crypto::Certificate::from_pem(*pem);
  fs::remove_all(dir);
  return {*key, *cert};
}

void BM_Sign(benchmark::State& state, const std::string& key_type) {
  static const Signer signer = make_signer(key_type);
  const sipl::Bytes data(static_cast<size_t>(state.range(0)) << 20, std::byte{0x5a});
  for (auto _ : state) {
    auto s = sipl::image::sign_component(data, "bench", signer.key, signer.cert, {});
    if (!s) state.SkipWithError(s.error().to_string().c_str());
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(data.size()));
}

void BM_Sha256Floor(benchmark::State& state) {
  const sipl::Bytes data(static_cast<size_t>(state.range(0)) << 20, std::byte{0x5a});
  unsigned char md[32];
  for (auto _ : state) {
    EVP_Digest(data.data(), data.size(), md, nullptr, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(md);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(data.size()));
}

void BM_SignRsa2048(benchmark::State& state) { BM_Sign(state, "rsa2048"); }
void BM_SignP256(benchmark::State& state) { BM_Sign(state, "p256"); }

}  // namespace

BENCHMARK(BM_Sha256Floor)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignRsa2048)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignP256)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);
