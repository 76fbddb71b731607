// Verification speed: a 64 MiB component against a 64-certificate store whose signer is last
// (the worst case for store order). sipl hashes once and does 64 public-key operations; QEMU's
// loop (replayed by the GnuTLS oracle) re-parses and re-hashes for every certificate.
// Run: make bench  (or build/default/bench/sipl_bench --benchmark_filter=Verify)
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "oracle/gnutls_oracle.h"
#include "sipl/base/time.h"
#include "sipl/crypto/cms.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/crypto/private_key.h"
#include "sipl/crypto/self_signed.h"

namespace {

using namespace sipl;

constexpr size_t kComponentSize = 64u << 20;
constexpr size_t kStoreSize = 64;

struct Setup {
  Bytes component;
  Bytes signature;
  std::vector<crypto::Certificate> certs;
  std::vector<std::string> pems;
  UnixTime at = 0;
};

const Setup& setup() {
  static Setup s = [] {
    Setup x;
    x.component.resize(kComponentSize);
    for (size_t i = 0; i < x.component.size(); ++i) x.component[i] = static_cast<std::byte>((i * 2654435761u) >> 24);
    auto other = crypto::PrivateKey::generate(crypto::KeyType::kRsa2048);
    auto signer = crypto::PrivateKey::generate(crypto::KeyType::kRsa2048);
    if (!other || !signer) std::abort();
    x.at = now();
    for (size_t i = 0; i < kStoreSize; ++i) {
      crypto::SelfSignedOptions o;
      o.common_name = "store certificate " + std::to_string(i);
      o.not_before = x.at - 60;
      auto pem = crypto::make_self_signed_certificate(i + 1 == kStoreSize ? *signer : *other, o);
      if (!pem) std::abort();
      x.pems.push_back(*pem);
      x.certs.push_back(*crypto::Certificate::from_pem(as_bytes(*pem)));
    }
    auto sig = crypto::sign_detached_cms(x.component, *signer, x.certs.back(), {});
    if (!sig) std::abort();
    x.signature = *sig;
    return x;
  }();
  return s;
}

// The hashing limit: one SHA-256 over the component with OpenSSL.
void BM_Sha256Once(benchmark::State& state) {
  const Setup& s = setup();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  for (auto _ : state) {
    EVP_Digest(s.component.data(), s.component.size(), md, &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(md);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.component.size()));
}
BENCHMARK(BM_Sha256Once)->Unit(benchmark::kMillisecond);

// sipl: parse once, hash once, 64 candidates.
void BM_VerifyDetached64CertsSignerLast(benchmark::State& state) {
  const Setup& s = setup();
  std::vector<const crypto::Certificate*> ptrs;
  for (const auto& c : s.certs) ptrs.push_back(&c);
  for (auto _ : state) {
    auto v = crypto::verify_detached(s.signature, s.component, ptrs, s.at);
    if (!v.verified || v.index != kStoreSize - 1) state.SkipWithError("did not verify at the last index");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.component.size()));
}
BENCHMARK(BM_VerifyDetached64CertsSignerLast)->Unit(benchmark::kMillisecond);

// The per-candidate cost alone: 64 public-key operations on a prepared digest.
void BM_Candidates64Only(benchmark::State& state) {
  const Setup& s = setup();
  auto sig = crypto::DetachedSignature::parse(s.signature, "bench");
  auto prepared = sig->prepare(s.component);
  for (auto _ : state) {
    for (const auto& c : s.certs) benchmark::DoNotOptimize(sig->verify_with(c, prepared, s.at));
  }
}
BENCHMARK(BM_Candidates64Only)->Unit(benchmark::kMicrosecond);

// QEMU's loop through GnuTLS: per certificate, import and verify (hashing the component again).
void BM_GnutlsQemuLoop64CertsSignerLast(benchmark::State& state) {
  const Setup& s = setup();
  std::string sig(reinterpret_cast<const char*>(s.signature.data()), s.signature.size());
  std::string comp(reinterpret_cast<const char*>(s.component.data()), s.component.size());
  for (auto _ : state) {
    auto r = test::gnutls_verify(sig, comp, s.pems, s.at);
    if (r.first_verified != kStoreSize - 1) state.SkipWithError("oracle did not verify at the last index");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.component.size()));
}
BENCHMARK(BM_GnutlsQemuLoop64CertsSignerLast)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
