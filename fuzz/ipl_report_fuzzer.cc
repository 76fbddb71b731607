// The guest's IPL report reader on hostile guest memory. Input: the guest's memory contents
// (lowcore 0x14 names the IPLB, as Linux finds it); the reader also runs on the IPLB at 0x18.
// Invariants when the reader accepts:
//   - no report unless the IPLB is valid and has IPLIR; secure only with SIPL and IPLIR;
//   - the report header and every decoded entry lie inside the IIRB length, the IIRB inside
//     guest memory and within 5136 bytes, at an 8-aligned address;
//   - at most 127 components and 64 certificates, each certificate's DER inside guest memory;
//   - the .platform keyring is a subset of the certificates, empty when Linux ignores the report;
//     every certificate of a used report gets one load attempt with Linux's console lines.
// Built-in seeds: a QEMU-shaped report (with an unparsable and a real certificate from
// tests/data/corpus/certs, or $SIPL_TEST_DATA/corpus/certs) and a few thousand mutations of it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "sipl/base/bytes.h"
#include "sipl/base/file.h"
#include "sipl/crypto/certificate.h"
#include "sipl/guest/ipl_report.h"
#include "sipl/guest/ipl_report_layout.h"
#include "sipl/hv/guest_memory.h"
#include "seed_disk.h"

namespace {

using namespace sipl;
namespace L = guest::layout;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

void check_view(const hv::FlatGuestMemory& mem, const Result<guest::GuestView>& v) {
  if (!v) {
    check(!v.error().message.empty(), "errors carry a message");
    return;
  }
  const uint64_t size = mem.bytes().size();
  const bool iplir = v->hdr_flags & L::iplb::kFlagIplir;
  const bool sipl = v->hdr_flags & L::iplb::kFlagSipl;
  check(!v->report || (v->iplb_valid && iplir), "a report only with a valid IPLB and IPLIR");
  check(!v->secure || (v->iplb_valid && iplir && sipl), "secure only with SIPL and IPLIR");
  check(v->platform_keyring().size() <= (v->report ? v->report->certificates.size() : 0), "keyring subset");
  if (!v->report) return;
  const auto& r = *v->report;
  check(r.addr % 8 == 0, "report 8-aligned");
  check(r.addr + L::iirb::kHeaderSize <= size && r.addr + r.len <= size, "report in memory");
  check(r.len <= L::kMaxIirbLen, "report within 5136 bytes");
  check(r.components.size() <= L::kMaxComponents, "at most 127 components");
  check(r.certificates.size() <= L::kMaxCertificates, "at most 64 certificates");
  for (const auto& c : r.components)
    check(c.offset >= 32 && c.offset + L::component::kSize <= r.len, "component entry inside the IIRB");
  for (const auto& c : r.certificates) {
    check(c.offset >= 32 && c.offset + L::certificate::kSize <= r.len, "certificate entry inside the IIRB");
    check(c.addr <= size && c.len <= size - c.addr, "certificate DER inside guest memory");
    check(!c.parsed || (!c.key_id.empty() && c.key_id.size() == 64), "parsed certificates have a key id");
  }
  if (!r.used_by_linux()) check(v->platform_keyring().empty(), "ignored report loads no keys");
  // Linux's load_ipl_certs: one attempt per certificate, two console lines for a loaded key
  // (with its description), three with a negative errno for one it could not load.
  check(v->keyring.size() == (r.used_by_linux() ? r.certificates.size() : 0), "one load per certificate");
  for (const auto& k : v->keyring) {
    check(k.index < r.certificates.size(), "load names a certificate");
    if (k.loaded || k.error == 0)
      check(k.error == 0 && k.dmesg.size() == 2 && k.description.find(": ") != std::string::npos,
            "a loaded key has a description and two console lines");
    else
      check(k.error < 0 && k.dmesg.size() == 3 && !k.reason.empty(), "a refused key has errno, reason, three lines");
  }
}

void run(ByteSpan data) {
  hv::FlatGuestMemory mem(std::max<uint64_t>(data.size(), 64));
  std::copy(data.begin(), data.end(), mem.bytes().begin());
  check_view(mem, guest::read_ipl_report_from_lowcore(mem));
  check_view(mem, guest::read_ipl_report(mem, 0x18, true));
}


Bytes corpus_der() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("SIPL_TEST_DATA")) dir = std::filesystem::path(env) / "corpus/certs";
  else dir = std::filesystem::path(SIPL_TEST_DATA_DIR) / "corpus/certs";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".pem") continue;
    auto text = read_file(e.path().string(), 1 << 20);
    if (!text) continue;
    if (auto c = crypto::Certificate::from_pem(*text)) return c->der();
  }
  return {};
}

// IPLB at 0x100 (len 0x100, SIPL|IPLIR), report at 0x200, certificates at 0x400 and 0x500.
Bytes seed() {
  static const Bytes der = corpus_der();
  Bytes m(0x500 + std::max<size_t>(der.size(), 64));
  fuzz::put_be(m, 0x14, 0x100, 4);
  fuzz::put_be(m, 0x100, 0x100, 4);
  fuzz::put_be(m, 0x104, 0x60, 1);
  const uint64_t r = 0x200;
  const uint64_t comps = r + 16, certs = comps + 16 + 3 * 32;
  fuzz::put_be(m, comps, 16 + 3 * 32, 4);
  fuzz::put_be(m, comps + 4, 2, 1);
  fuzz::put_be(m, comps + 8, 0x0400, 2);
  const uint64_t entries[3][5] = {{0xa000, 0x6000, 0xc0, 0, 0}, {0x10000, 0x2000, 0x80, 1, 0x80000000}, {0x0008000080010000, 0, 0, 0, 0}};
  for (int i = 0; i < 3; ++i) {
    const uint64_t e = comps + 16 + 32 * i;
    fuzz::put_be(m, e, entries[i][0], 8);
    fuzz::put_be(m, e + 8, entries[i][1], 8);
    fuzz::put_be(m, e + 16, entries[i][2], 1);
    fuzz::put_be(m, e + 22, entries[i][3], 2);
    fuzz::put_be(m, e + 24, entries[i][4], 4);
  }
  fuzz::put_be(m, certs, 16 + 2 * 16, 4);
  fuzz::put_be(m, certs + 4, 1, 1);
  fuzz::put_be(m, certs + 16, 0x400, 8);
  fuzz::put_be(m, certs + 24, 64, 8);
  fuzz::put_be(m, certs + 32, 0x500, 8);
  fuzz::put_be(m, certs + 40, der.empty() ? 64 : der.size(), 8);
  fuzz::put_be(m, r, certs + 48 - r, 4);
  for (size_t i = 0; i < der.size(); ++i) m[0x500 + i] = der[i];
  return m;
}

void builtin_seeds() {
  const Bytes s = seed();
  fuzz::dump_seed(s);
  run(s);
  // The seed itself must be a report Linux keeps, or the mutations below test nothing.
  hv::FlatGuestMemory mem(s.size());
  std::copy(s.begin(), s.end(), mem.bytes().begin());
  const auto v = guest::read_ipl_report_from_lowcore(mem);
  check(v && v->secure && v->report && v->report->used_by_linux() && v->report->components.size() == 3 &&
            v->report->certificates.size() == 2,
        "the built-in seed decodes as a secure report with 3 components and 2 certificates");
  std::mt19937 rng(1);
  for (int round = 0; round < 3000; ++round) {
    Bytes m = s;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) m[0x100 + rng() % 0x180] = std::byte(static_cast<uint8_t>(rng()));
    fuzz::dump_seed(m);
    run(m);
  }
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    fuzz::write_seed_if_asked(seed());
    return 0;
  }
  run(ByteSpan(reinterpret_cast<const std::byte*>(data), size));
  return 0;
}
