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
#include <optional>
#include <string>
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

// What every boot shares, made once: a certificate, the disk path both machines name, and the
// two machines (Audit: certificates, secure-boot off; Secure: secure-boot on). Each input is
// written to the path once and booted by both. The file is written plainly (no fsync, no
// rename as write_file_atomic does: only this process reads it, right after writing) and in
// /dev/shm when present: an fsync per boot was 99% of this target's time (380 exec/s).
struct Scratch {
  std::string dir, image;
  std::optional<hv::Machine> audit, secure;
};

const Scratch& scratch() {
  static const Scratch s = [] {
    const std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/sipl-boot-fuzz-XXXXXX";
    const char* d = mkdtemp(tmpl.data());
    check(d != nullptr, "mkdtemp");
    Scratch x;
    x.dir = d;
    x.image = x.dir + "/d.img";
    auto key = crypto::PrivateKey::generate(crypto::KeyType::kP256);
    check(key.has_value(), "key");
    auto pem = crypto::make_self_signed_certificate(*key, {});
    check(pem.has_value(), "certificate");
    check(write_file_atomic(x.dir + "/c.pem", as_bytes(*pem)).has_value(), "write cert");
    check(write_file_atomic(x.image, Bytes(512)).has_value(), "write disk");
    for (bool secure : {false, true}) {
      hv::MachineOptions o;
      o.ram_bytes = 64ull << 20;
      o.boot_certs = {x.dir + "/c.pem"};
      o.secure_boot = secure;
      o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, x.image, 1, std::nullopt});
      auto m = hv::Machine::create(o, nullptr);
      check(m.has_value(), "machine");
      (secure ? x.secure : x.audit).emplace(std::move(*m));
    }
    // The handler runs after `s` is destroyed, so it works on its own copy of the path.
    static std::string path;
    path = x.dir;
    std::atexit([] {
      std::remove((path + "/c.pem").c_str());
      std::remove((path + "/d.img").c_str());
      rmdir(path.c_str());
    });
    return x;
  }();
  return s;
}

void write_disk(ByteSpan disk) {
  FILE* f = std::fopen(scratch().image.c_str(), "wb");
  check(f != nullptr, "open disk");
  check(disk.empty() || std::fwrite(disk.data(), 1, disk.size(), f) == disk.size(), "write disk");
  check(std::fclose(f) == 0, "close disk");
}

// Boots the disk last written by write_disk.
void boot(bool secure) {
  const hv::Machine& m = secure ? *scratch().secure : *scratch().audit;
  hv::SparseGuestMemory mem(m.options().ram_bytes);
  auto r = fw::run_ipl(m, mem, {});
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

void boot(ByteSpan disk, bool secure) {
  write_disk(disk);
  boot(secure);
}

void builtin_seeds() {
  // MBR -> program table -> component table: LOAD, SIGNATURE, LOAD, EXEC (fuzz/seed_disk.h).
  const Bytes seed = fuzz::zipl_seed_disk();
  fuzz::dump_seed(seed);
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
    fuzz::dump_seed(m);
    boot(m, round % 2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    return 0;
  }
  write_disk(ByteSpan(reinterpret_cast<const std::byte*>(data), size));
  boot(false);
  boot(true);
  return 0;
}
