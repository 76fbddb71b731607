// Fuzz target: the input bytes are a boot disk; the whole simulated IPL (boot-record walk,
// Audit/Secure component loop, DIAGs, IIRB) must end in one of the four verdicts, never read
// outside the image or loop, and keep the IIRB's invariants:
//   * a boot in Audit/Secure mode leaves an IIRB whose length field is its size and whose
//     component list ends in the PSW pseudo-entry, at most 127 entries;
//   * a halt has a reason and the console ends in "ERROR: <reason>".
// With no input (the ctest replay calls it once empty) it runs built-in seeds: a valid disk
// and deterministic mutations of its metadata blocks.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <array>
#include <random>

#include "sipl/base/bytes.h"
#include "sipl/base/file.h"
#include "sipl/crypto/private_key.h"
#include "sipl/crypto/self_signed.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/hv/sparse_guest_memory.h"
#include "seed_disk.h"

namespace {

using namespace sipl;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "boot_fuzzer invariant violated: %s\n", what);
    std::abort();
  }
}

const std::string& scratch() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/sipl-boot-fuzz-XXXXXX";
    const char* d = mkdtemp(tmpl);
    check(d != nullptr, "mkdtemp");
    auto key = crypto::PrivateKey::generate(crypto::KeyType::kP256);
    check(key.has_value(), "key");
    auto pem = crypto::make_self_signed_certificate(*key, {});
    check(pem.has_value(), "certificate");
    check(write_file_atomic(std::string(d) + "/c.pem", as_bytes(*pem)).has_value(), "write cert");
    // The handler runs after `dir` is destroyed, so it works on its own copy of the path.
    static char path[sizeof(tmpl)];
    std::memcpy(path, d, sizeof(tmpl));
    std::atexit([] {
      const std::string p(path);
      std::remove((p + "/c.pem").c_str());
      std::remove((p + "/d.img").c_str());
      rmdir(p.c_str());
    });
    return std::string(d);
  }();
  return dir;
}

void boot(ByteSpan disk, bool secure) {
  const std::string img = scratch() + "/d.img";
  check(write_file_atomic(img, disk).has_value(), "write disk");
  hv::MachineOptions o;
  o.ram_bytes = 64ull << 20;
  o.boot_certs = {scratch() + "/c.pem"};
  o.secure_boot = secure;
  o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, img, 1, std::nullopt});
  auto m = hv::Machine::create(o, nullptr);
  check(m.has_value(), "machine");
  hv::SparseGuestMemory mem(o.ram_bytes);
  auto r = fw::run_ipl(*m, mem, {});
  if (!r) return;  // only an unreadable image is an error
  switch (r->verdict) {
    case fw::Verdict::kBoots:
    case fw::Verdict::kBootsWithWarnings: {
      check(r->iirb.size() >= 16 && load_u32_be(r->iirb, 0) == r->iirb.size(), "IIRB length field");
      check(!r->components.empty() && r->components.back().psw_entry, "PSW pseudo-entry last");
      check(r->components.size() <= 127, "at most 127 component entries");
      check(secure ? r->warnings == 0 : true, "no warnings in Secure mode");
      break;
    }
    case fw::Verdict::kHalts:
    case fw::Verdict::kNoBootableDevice:
      check(!r->halt_reason.empty() && r->console.back() == "ERROR: " + r->halt_reason, "halt prints ERROR");
      break;
  }
}



void builtin_seeds() {
  // MBR -> program table -> component table: LOAD, SIGNATURE, LOAD, EXEC (fuzz/seed_disk.h).
  const Bytes seed = fuzz::zipl_seed_disk();
  boot(seed, false);
  boot(seed, true);
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    Bytes m = seed;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t block = std::array<size_t, 5>{0, 2, 3, 4, 6}[rng() % 5];
      m[block * 512 + rng() % 512] = std::byte(static_cast<uint8_t>(rng()));
    }
    boot(m, round % 2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    return 0;
  }
  const ByteSpan in(reinterpret_cast<const std::byte*>(data), size);
  boot(in, false);
  boot(in, true);
  return 0;
}
