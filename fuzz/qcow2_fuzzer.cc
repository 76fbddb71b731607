// Fuzz target: the input bytes are a qcow2 file. Opening it must either fail with a message
// or give an image whose reads are consistent: the first bytes read in one piece equal the
// same bytes read in small pieces (cluster boundaries, the compressed-cluster cache), reads
// fail only as bad input, and nothing reads outside the file (ASan in the fuzz preset).
// With no input (the ctest replay) it checks a built-in v3 image with standard, zero-flag,
// compressed and unallocated clusters, then deterministic mutations of its metadata.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "sipl/image/disk_image.h"
#include "seed_disk.h"

namespace {

using namespace sipl;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "qcow2_fuzzer invariant violated: %s\n", what);
    std::abort();
  }
}

const std::string& scratch_path() {
  static const std::string path = [] {
    // /dev/shm when present: thousands of tiny rewrites on a loaded disk are slow.
    std::string t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    t += "/sipl-qcow2-fuzz-XXXXXX";
    int fd = mkstemp(t.data());
    check(fd >= 0, "mkstemp");
    close(fd);
    std::atexit([] { unlink(scratch_path().c_str()); });
    return t;
  }();
  return path;
}

// Returns true when the image opened; checks the read invariants on its first 64 KiB.
bool open_and_read(const uint8_t* data, size_t size, Bytes* first = nullptr) {
  FILE* f = std::fopen(scratch_path().c_str(), "wb");
  check(f != nullptr, "open scratch");
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto img = image::DiskImage::open(scratch_path());
  if (!img) return false;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(img->size(), 64 * 1024));
  Bytes whole(n), pieces(n);
  auto a = img->read(0, whole);
  if (!a) {
    check(a.error().code == ErrorCode::kBadInput, "read fails only as bad input");
    return true;
  }
  for (size_t off = 0; off < n; off += 300) {
    const size_t len = std::min<size_t>(300, n - off);
    auto b = img->read(off, MutableByteSpan(pieces).subspan(off, len));
    check(static_cast<bool>(b), "piecewise read fails where the whole read succeeded");
  }
  check(whole == pieces, "piecewise read equals whole read");
  if (first) *first = whole;
  return true;
}


// 512-byte clusters, 4 KiB virtual disk: cluster 0 header, 1 L1, 2 L2, 3-4 data, 5 compressed.
Bytes seed_image(Bytes* guest) {
  Bytes d(6 * 512 + 512, std::byte{0});
  const char magic[] = {'Q', 'F', 'I', '\xfb'};
  for (int i = 0; i < 4; ++i) d[i] = std::byte(static_cast<uint8_t>(magic[i]));
  fuzz::put_be(d, 4, 3, 4);      // version
  fuzz::put_be(d, 20, 9, 4);     // cluster_bits
  fuzz::put_be(d, 24, 4096, 8);  // size
  fuzz::put_be(d, 36, 1, 4);     // l1_size
  fuzz::put_be(d, 40, 512, 8);   // l1_table_offset
  fuzz::put_be(d, 96, 4, 4);     // refcount_order
  fuzz::put_be(d, 100, 104, 4);  // header_length
  fuzz::put_be(d, 512, 1024 | (1ULL << 63), 8);
  guest->assign(4096, std::byte{0});
  for (size_t i = 0; i < 512; ++i) {
    d[1536 + i] = std::byte(static_cast<uint8_t>(i * 3));
    d[2048 + i] = std::byte(static_cast<uint8_t>(i ^ 0x5c));
  }
  fuzz::put_be(d, 1024 + 0, 1536 | (1ULL << 63), 8);  // guest cluster 0 -> host cluster 3
  fuzz::put_be(d, 1024 + 8, 1, 8);                    // guest cluster 1: reads as zero
  fuzz::put_be(d, 1024 + 32, 2048, 8);                // guest cluster 4 -> host cluster 4
  std::copy_n(d.begin() + 1536, 512, guest->begin());
  std::copy_n(d.begin() + 2048, 512, guest->begin() + 4 * 512);
  // Guest cluster 2: compressed (raw deflate, 4 KiB window as QEMU writes it).
  Bytes plain(512);
  for (size_t i = 0; i < 512; ++i) plain[i] = std::byte(static_cast<uint8_t>(i / 16));
  z_stream zs{};
  check(deflateInit2(&zs, 6, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
  Bytes packed(600);
  zs.next_in = reinterpret_cast<Bytef*>(plain.data());
  zs.avail_in = 512;
  zs.next_out = reinterpret_cast<Bytef*>(packed.data());
  zs.avail_out = static_cast<uInt>(packed.size());
  check(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
  const size_t clen = packed.size() - zs.avail_out;
  deflateEnd(&zs);
  check(clen < 512, "seed cluster compresses");
  std::copy_n(packed.begin(), clen, d.begin() + 2560);
  fuzz::put_be(d, 1024 + 16, (1ULL << 62) | 2560, 8);
  std::copy_n(plain.begin(), 512, guest->begin() + 2 * 512);
  return d;
}

void builtin_seeds() {
  Bytes guest, got;
  const Bytes seed = seed_image(&guest);
  fuzz::dump_seed(seed);
  const auto* p = reinterpret_cast<const uint8_t*>(seed.data());
  check(open_and_read(p, seed.size(), &got), "seed image opens");
  check(got == guest, "seed image reads as built");
  std::mt19937 rng(9);
  for (int round = 0; round < 1500; ++round) {
    Bytes m = seed;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      // Header fields, L1 and L2 entries, compressed bytes.
      const size_t regions[][2] = {{0, 112}, {512, 8}, {1024, 40}, {2560, 64}};
      const auto& r = regions[rng() % 4];
      m[r[0] + rng() % r[1]] = std::byte(static_cast<uint8_t>(rng()));
    }
    fuzz::dump_seed(m);
    open_and_read(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  }
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    Bytes guest;
    fuzz::write_seed_if_asked(seed_image(&guest));
    return 0;
  }
  open_and_read(data, size);
  return 0;
}
