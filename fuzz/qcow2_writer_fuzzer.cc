// Fuzz target: the qcow2 writer's inputs (mkdisk -f qcow2). The input bytes choose a cluster
// size, an image size and a list of non-overlapping writes (offset, data taken from the input
// through memory or through a file, zero padding); the image is written with
// write_qcow2_atomic. Invariants: plan_qcow2 accepts what fits; the file has exactly the
// planned clusters; sipl's own qcow2 reader opens it as qcow2 of that size, its table check
// passes over the whole disk, and it reads back byte for byte the raw disk the same writes
// make (data where written, zeros everywhere else). With no input (the ctest replay) it runs
// built-in seeds: every cluster size on a few layouts and deterministic mutations of them.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "seed_disk.h"
#include "sipl/base/file_source.h"
#include "sipl/image/disk_image.h"
#include "sipl/image/qcow2_image.h"

namespace {

using namespace sipl;

constexpr uint64_t kMaxImage = 4 << 20;  // keeps an iteration fast; the layout logic scales
constexpr size_t kMaxWrites = 48;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "qcow2_writer_fuzzer invariant violated: %s\n", what);
    std::abort();
  }
}

// A scratch directory on tmpfs when there is one: every input is written twice and synced.
// The name lives on the heap and is never destroyed: the atexit handler that removes the
// directory is registered while the static is being initialized, so exit() runs it after the
// static's destructor (both run in reverse order of registration); a static std::string read
// there was a use after free (ASan, at the exit of every run).
const std::string& scratch_dir() {
  static const std::string* const dir = new std::string([] {
    std::string t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    t += "/sipl-qcow2w-fuzz-XXXXXX";
    check(mkdtemp(t.data()) != nullptr, "mkdtemp");
    std::atexit([] {
      unlink((scratch_dir() + "/payload").c_str());
      unlink((scratch_dir() + "/image.qcow2").c_str());
      rmdir(scratch_dir().c_str());
    });
    return t;
  }());
  return *dir;
}

uint32_t u16(const uint8_t* p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8; }

// Input: [0] cluster bits (9 + b % 13), [1..3] image size (little-endian, mod kMaxImage, + 1),
// then 7-byte records: gap u16 (bytes after the previous write), data length u16 (0..65535,
// clamped to the payload), padding u16, flags (bit 0: data read from a file, not memory).
// The payload the data comes from is the input itself.
void run(const uint8_t* data, size_t size) {
  if (size < 4) return;
  const uint32_t cluster_bits = 9 + data[0] % 13;
  const uint64_t image_size = 1 + ((uint64_t{data[1]} | uint64_t{data[2]} << 8 | uint64_t{data[3]} << 16) * 1021) % kMaxImage;

  const Bytes payload(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + size);
  const std::string payload_path = scratch_dir() + "/payload";
  if (FILE* f = std::fopen(payload_path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  auto file = FileSource::open(payload_path);
  check(file.has_value(), "payload file opens");
  auto memory = std::make_shared<const OwnedBytesSource>(payload);

  std::vector<image::ImageWrite> writes;
  Bytes expected(static_cast<size_t>(image_size));
  uint64_t at = 0, from = 0;
  for (size_t r = 4; r + 7 <= size && writes.size() < kMaxWrites; r += 7) {
    const uint64_t offset = at + u16(data + r);
    uint64_t len = std::min<uint64_t>(u16(data + r + 2), payload.size());
    const uint64_t pad = u16(data + r + 4);
    const bool from_file = data[r + 6] & 1;
    if (offset >= image_size) break;
    len = std::min(len, image_size - offset);
    const uint64_t total = std::min(len + pad, image_size - offset);
    if (from + len > payload.size()) from = 0;
    image::ImageWrite w;
    w.offset = offset;
    w.length = total;
    w.data = from_file ? SourceRange{*file, from, len} : SourceRange{memory, from, len};
    std::copy_n(payload.begin() + static_cast<ptrdiff_t>(from), len, expected.begin() + static_cast<ptrdiff_t>(offset));
    writes.push_back(std::move(w));
    from += len;
    at = offset + total;
  }

  auto plan = image::plan_qcow2(image_size, writes, cluster_bits);
  check(plan.has_value(), "plan_qcow2 accepts writes that fit");
  const std::string path = scratch_dir() + "/image.qcow2";
  auto written = image::write_qcow2_atomic(path, image_size, writes, cluster_bits);
  if (!written) std::fprintf(stderr, "%s\n", written.error().to_string().c_str());
  check(written.has_value(), "write_qcow2_atomic writes what plan_qcow2 accepts");

  auto out = FileSource::open(path);
  check(out.has_value(), "the image opens as a file");
  check((*out)->size() == plan->file_clusters << cluster_bits, "the file holds exactly the planned clusters");

  auto img = image::DiskImage::open(path);
  if (!img) std::fprintf(stderr, "%s\n", img.error().to_string().c_str());
  check(img.has_value(), "sipl's reader opens the image");
  check(img->format() == image::ImageFormat::kQcow2, "the image is qcow2");
  check(img->size() == image_size, "the virtual size is the one asked for");
  check(img->check(0, image_size).has_value(), "the table check passes over the whole disk");
  Bytes got(static_cast<size_t>(image_size));
  check(img->read(0, got).has_value(), "the whole disk reads");
  check(got == expected, "the image reads as the raw disk of the same writes");
}

// Records as the input takes them: gap, data length, padding, flags.
Bytes seed(uint8_t cluster_bits_byte, uint32_t size_field, const std::vector<std::array<uint32_t, 4>>& recs,
           size_t filler) {
  Bytes s{std::byte{cluster_bits_byte}, std::byte(size_field & 0xff), std::byte(size_field >> 8 & 0xff),
          std::byte(size_field >> 16 & 0xff)};
  for (const auto& r : recs)
    for (int i = 0; i < 3; ++i) {
      s.push_back(std::byte(r[static_cast<size_t>(i)] & 0xff));
      s.push_back(std::byte(r[static_cast<size_t>(i)] >> 8 & 0xff));
      if (i == 2) s.push_back(std::byte(r[3] & 0xff));
    }
  for (size_t i = 0; i < filler; ++i) s.push_back(std::byte(static_cast<uint8_t>(i * 37 + 11)));
  return s;
}

void builtin_seeds() {
  std::vector<Bytes> seeds;
  for (uint8_t cb = 0; cb < 13; ++cb) {
    // mkdisk's shape: a first block, then components at 512-byte blocks with padding.
    seeds.push_back(seed(cb, 4000, {{512, 152, 360, 0}, {7680, 4096, 0, 1}, {0, 3000, 584, 1}, {65000, 20000, 480, 0}},
                         20000));
    // Writes straddling cluster boundaries, a write at the very end of the disk.
    seeds.push_back(seed(cb, 300, {{65535, 1, 65535, 1}, {1, 65535, 0, 0}, {65535, 65535, 65535, 1}}, 70000));
  }
  seeds.push_back(seed(7, 0, {}, 0));            // a one-byte disk, no writes
  seeds.push_back(seed(4, 0, {{0, 1, 0, 1}}, 1));  // one byte written
  std::mt19937 rng(15);
  const size_t n = seeds.size();
  for (size_t i = 0; i < n; ++i)
    for (int round = 0; round < 4; ++round) {
      Bytes m = seeds[i];
      for (int f = 0; f < 3; ++f) m[rng() % std::min<size_t>(m.size(), 40)] = std::byte(static_cast<uint8_t>(rng()));
      seeds.push_back(std::move(m));
    }
  for (const Bytes& s : seeds) {
    fuzz::dump_seed(s);
    run(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    builtin_seeds();
    return 0;
  }
  run(data, size);
  return 0;
}
