// The whole secure IPL simulation in process (issue 5's target): bench/boot_scenario.sh's disk
// (64 MiB signed kernel, 64-certificate store, signer last), from Machine::create to the
// verdict, against one SHA-256 of the kernel component read from its file the same way
// (pread, 256 KiB pieces). The CLI figure (whole processes) is bench/boot_vs_hash.py.
// Run: make bench  (or build/default/bench/sipl_bench --benchmark_filter=Boot)
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sipl/base/file.h"
#include "sipl/base/time.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/hv/machine.h"
#include "sipl/hv/sparse_guest_memory.h"

namespace {

using namespace sipl;

const std::string& scenario() {
  static const std::string dir = [] {
    const std::string d = (std::filesystem::temp_directory_path() / "sipl-boot-bench").string();
    const std::string cmd = std::string(SIPL_SOURCE_DIR) + "/bench/boot_scenario.sh '" + SIPL_BIN + "' '" + d + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
    return d;
  }();
  return dir;
}

void BM_BootSecure64MiBKernel64Certs(benchmark::State& state) {
  const std::string d = scenario();
  hv::MachineOptions o;
  o.boot_certs = {d + "/certs", d + "/s.pem"};
  o.secure_boot = true;
  o.devices = {hv::BootDevice{hv::BootDeviceKind::kVirtioBlkCcw, d + "/sdisk.img", 1, std::nullopt}};
  const UnixTime at = *parse_time("2026-06-01T00:00:00Z");
  for (auto _ : state) {
    Findings warnings;
    auto machine = hv::Machine::create(o, &warnings);
    if (!machine) {
      state.SkipWithError(machine.error().to_string().c_str());
      return;
    }
    hv::SparseGuestMemory memory(o.ram_bytes);
    auto r = fw::run_ipl(*machine, memory, {at});
    if (!r || r->verdict != fw::Verdict::kBoots) {
      state.SkipWithError("the scenario does not boot");
      return;
    }
  }
}

void BM_Sha256KernelComponentOnce(benchmark::State& state) {
  const std::string path = scenario() + "/kernel.component";
  for (auto _ : state) {
    auto f = MappedFile::open(path);
    if (!f) {
      state.SkipWithError(f.error().to_string().c_str());
      return;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    Bytes buf(256 << 10);
    const uint64_t size = f->bytes().size();
    for (uint64_t done = 0; done < size;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done));
      if (!f->read_at(done, MutableByteSpan(buf).first(n))) std::abort();
      EVP_DigestUpdate(ctx, buf.data(), n);
      done += n;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(md);
  }
}

}  // namespace

BENCHMARK(BM_BootSecure64MiBKernel64Certs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sha256KernelComponentOnce)->Unit(benchmark::kMillisecond);
