// DIAG 0x320 on hostile guest memory and registers, plus the VCB/VCSSB decoders on raw bytes.
// Input: 16 control bytes (store, subcode, CPU flags, address, in_len, first, last, time), then
// the guest's memory contents. Invariants:
//   - nothing outside the block the guest named ([addr, addr+4/128/in_len)) ever changes, and
//     nothing at all changes unless the DIAG completes with rc 1 or faults part-way (addressing);
//   - after subcode 2 with rc 1 the block decodes, out_len == 64 + sum of VCE lengths <= in_len,
//     stored_ct is the number of VCEs and stored_ct + remain_ct fits the requested range;
//   - a VCB the decoder accepts has its VCEs inside out_len.
// Stores: empty, and the corpus certificates (tests/data/corpus/certs, or
// $SIPL_TEST_DATA/corpus/certs) once and repeated 20 times.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/diag320.h"
#include "sipl/hv/diag320_decode.h"
#include "sipl/hv/diag320_layout.h"
#include "seed_disk.h"

namespace {

using namespace sipl;
namespace L = hv::diag320;

constexpr size_t kControl = 16;
constexpr uint64_t kMemSize = 48 * 1024;

std::vector<std::string> corpus_certs() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("SIPL_TEST_DATA")) dir = std::filesystem::path(env) / "corpus/certs";
  else dir = std::filesystem::path(SIPL_TEST_DATA_DIR) / "corpus/certs";
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".pem") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

const std::vector<hv::CertificateStore>& stores() {
  static const std::vector<hv::CertificateStore> s = [] {
    std::vector<hv::CertificateStore> v(1);  // the empty store
    const auto files = corpus_certs();
    if (files.empty()) return v;
    Findings w;
    if (auto once = hv::CertificateStore::build(files, &w)) v.push_back(std::move(*once));
    std::vector<std::string> many(20, files.front());
    if (auto rep = hv::CertificateStore::build(many, &w)) v.push_back(std::move(*rep));
    return v;
  }();
  return s;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void fuzz_decoders(ByteSpan data) {
  if (auto vcb = hv::decode_vcb(data)) {
    uint64_t sum = L::vcb::kHeaderSize;
    for (const auto& e : vcb->entries) {
      check(e.offset == sum && e.len >= L::vce::kInvalidLen);
      sum += e.len;
    }
    check(sum == vcb->out_len && vcb->out_len <= data.size());
  }
  (void)hv::decode_vcssb(data);
}


void run_one(ByteSpan data) {
  fuzz_decoders(data);
  if (data.size() < kControl) return;
  ByteSpan ctl = data.first(kControl);
  ByteSpan contents = data.subspan(kControl);

  const auto& all = stores();
  const hv::CertificateStore& store = all[uint8_t(ctl[0]) % all.size()];
  const uint8_t sc = uint8_t(ctl[1]);
  const uint8_t flags = uint8_t(ctl[2]);
  hv::Diag320Request req;
  req.subcode = sc < 0xC0 ? sc % 3 : (sc < 0xF0 ? sc : uint64_t{sc} << 8);
  // Rare CPU faults: most inputs should reach the subcode handlers.
  req.cpu.problem_state = flags == 0xF1;
  req.cpu.cstore = flags != 0xF2;
  req.r1 = flags == 0xF3 ? 3 : 0;
  uint64_t addr = load_u16_be(ctl, 3);
  if (!(flags & 0x10)) addr = (addr % 16) * (req.subcode == L::kSubcodeStoreVc ? 4096 : 8);
  if (flags & 0x20) addr += kMemSize - 8192;
  req.address = addr;
  req.at = (flags & 0x40) ? UnixTime{7258118400} /* 2200 */ : UnixTime{1780272000} /* 2026-06 */;

  hv::FlatGuestMemory mem(kMemSize);
  auto m = mem.bytes();
  // The contents repeated over the whole memory, a copy at a time rather than a byte at a time.
  for (size_t i = 0; i < m.size() && !contents.empty(); i += contents.size())
    std::memcpy(m.data() + i, contents.data(), std::min(contents.size(), m.size() - i));
  uint32_t in_len = 0;
  if (addr + L::vcb::kHeaderSize <= kMemSize) {
    // Mostly page multiples so the store path runs; sometimes the raw value.
    in_len = load_u32_be(ctl, 5);
    if (!(flags & 0x80)) in_len = (in_len % 24) * 4096;
    store_u32_be(m, addr + L::vcb::kInLen, in_len);
    store_u16_be(m, addr + L::vcb::kFirstVcIndex, uint16_t(load_u16_be(ctl, 9) % 70));
    store_u16_be(m, addr + L::vcb::kLastVcIndex, uint16_t(load_u16_be(ctl, 11) % 70));
    if (req.subcode == L::kSubcodeQueryVcsi && (flags & 0x08))
      store_u32_be(m, addr + L::vcssb::kLength, L::vcssb::kValidLength);
  }
  const uint16_t first = addr + 64 <= kMemSize ? load_u16_be(m, addr + 8) : 0;
  const uint16_t last = addr + 64 <= kMemSize ? load_u16_be(m, addr + 10) : 0;
  const Bytes before(m.begin(), m.end());

  const hv::Diag320Result r = hv::execute_diag320(store, mem, req);

  uint64_t block = 0;
  if (req.subcode == L::kSubcodeQueryIsm) block = L::kIsmStoredSize;
  if (req.subcode == L::kSubcodeQueryVcsi) block = L::vcssb::kSize;
  if (req.subcode == L::kSubcodeStoreVc) block = in_len;
  const bool may_write = r.ok() || (r.exception == hv::ProgramException::kAddressing);
  // Everything outside [addr, addr + block) is unchanged, and all of it when nothing may be
  // written: two memcmp calls instead of an instrumented loop over all 48 KiB per input.
  const uint64_t lo = may_write ? std::min<uint64_t>(addr, kMemSize) : kMemSize;
  const uint64_t hi = may_write ? std::min<uint64_t>(addr + block, kMemSize) : kMemSize;
  check(std::memcmp(m.data(), before.data(), lo) == 0);
  check(std::memcmp(m.data() + hi, before.data() + hi, kMemSize - hi) == 0);
  if (r.ok() && req.subcode == L::kSubcodeStoreVc) {
    auto vcb = hv::decode_vcb(m.subspan(addr, std::min<uint64_t>(in_len, kMemSize - addr)));
    check(vcb.has_value());
    uint64_t sum = L::vcb::kHeaderSize;
    for (const auto& e : vcb->entries) sum += e.len;
    check(vcb->out_len == sum && sum <= in_len);
    check(vcb->entries.size() == vcb->stored_ct);
    const uint32_t range = first == 0 && last == 0 ? 0 : last - std::max<uint16_t>(first, 1) + 1u;
    check(uint32_t{vcb->stored_ct} + vcb->remain_ct <= range);
  }
}

// Built-in seeds, run for the empty input (ctest's replay and libFuzzer's first run): every
// subcode and CPU fault against each store, page-multiple and odd in_len, several ranges.
void run_seeds() {
  const uint8_t subcodes[] = {0, 1, 2, 3, 0xC5, 0xF5};
  const uint8_t flag_set[] = {0x00, 0x08, 0x10, 0x20, 0x40, 0x80, 0xF1, 0xF2, 0xF3};
  const uint32_t in_lens[] = {0, 1, 11, 4095};
  const std::pair<uint16_t, uint16_t> ranges[] = {{0, 0}, {0, 2}, {2, 1}, {1, 20}, {3, 69}};
  std::fprintf(stderr, "diag320 seeds over %zu stores\n", stores().size());
  for (uint8_t st = 0; st < 3; ++st)
    for (uint8_t sc : subcodes)
      for (uint8_t fl : flag_set)
        for (uint32_t len : in_lens)
          for (auto [first, last] : ranges) {
            Bytes in(kControl + 64, std::byte{0x5A});
            in[0] = std::byte{st};
            in[1] = std::byte{sc};
            in[2] = std::byte{fl};
            store_u16_be(in, 3, 1);
            store_u32_be(in, 5, len);
            store_u16_be(in, 9, first);
            store_u16_be(in, 11, last);
            fuzz::dump_seed(in);
            run_one(in);
          }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t size) {
  if (size == 0) {
    run_seeds();
    return 0;
  }
  run_one(ByteSpan(reinterpret_cast<const std::byte*>(raw), size));
  return 0;
}
