// Fuzzes the bootmap writer with hostile stage 3 / kernel / initrd bytes (appended-signature
// trailers included) and the DOS partition-table reader. Invariants: whatever build_bootmap
// accepts, the firmware-side walk (fw::load_program) reads back with the same component types
// and addresses and the same loaded bytes; DOS partitions are numbered 1..4 with a non-zero
// type and length.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sipl/fw/boot_record.h"
#include "sipl/image/appended_signature.h"
#include "sipl/image/bootmap_writer.h"
#include "sipl/image/disk_image.h"
#include "sipl/image/raw_image.h"
#include "seed_disk.h"

namespace {

using namespace sipl;

void check(bool ok) {
  if (!ok) std::abort();
}

void one_input(ByteSpan in) {
  for (const auto& p : image::dos_partitions(in))
    check(p.number >= 1 && p.number <= 4 && p.type != 0 && p.length > 0);
  if (in.size() < 7) return;
  const uint8_t flags = std::to_integer<uint8_t>(in[0]);
  const size_t n1 = load_u16_be(in, 1), n2 = load_u16_be(in, 3), n3 = load_u16_be(in, 5);
  ByteSpan rest = in.subspan(7);
  auto take = [&](size_t n) {
    n = std::min(n, rest.size());
    ByteSpan s = rest.first(n);
    rest = rest.subspan(n);
    return own(Bytes(s.begin(), s.end()));
  };
  image::BootmapSpec spec;
  spec.block_size = (flags & 1) ? 4096 : 512;
  spec.secure = (flags & 2) ? image::SecureMode::kOff : image::SecureMode::kAuto;
  spec.max_extent_blocks = (flags & 4) ? 1 : 65536;
  spec.stage3 = {"stage3", take(n1)};
  image::BootEntrySpec e;
  e.name = "fuzz";
  e.kernel = {"kernel", take(n2)};
  if (flags & 8) e.initrd = image::BootFile{"initrd", take(n3)};
  if (flags & 16) e.parmline = std::string(rest.size() % 64, 'p');
  spec.entries.push_back(e);
  auto bm = image::build_bootmap(spec);
  if (!bm) return;

  Bytes disk(bm->end_block * bm->block_size);
  for (const auto& w : image::bootmap_image_writes(*bm)) {
    check(w.offset + w.length <= disk.size() && w.data.length <= w.length);
    auto data = read_all(w.data);
    check(data.has_value());
    if (!data->empty()) std::memcpy(disk.data() + w.offset, data->data(), data->size());
  }
  auto img = image::DiskImage::from_memory(disk, bm->block_size, "fuzz.img");
  check(img.has_value());
  auto map = fw::read_boot_map(*img);
  check(map.has_value());
  auto prog = fw::load_program(*img, *map, 0);
  const auto& want = bm->entries[0].components;
  bool has_signature = false;
  for (const auto& c : want) has_signature |= c.type == 3;
  // The read side also judges the DER of SIGNATURE entries, which the fuzzer makes up.
  if (!prog) return check(has_signature);
  check(prog->components.size() == want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    const auto& g = prog->components[k];
    check(static_cast<uint8_t>(g.type) == want[k].type);
    if (want[k].type == 2) check(g.address == want[k].compdat);
    if (want[k].type == 1) check(g.address == want[k].compdat);
    if (want[k].type == 1) continue;
    check(g.bytes.size() == want[k].loaded_length(bm->block_size));
    auto got = g.bytes.to_bytes();
    check(got.has_value());
    auto data = read_all(want[k].data);
    check(data.has_value());
    check(std::memcmp(got->data(), data->data(), data->size()) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    // Built-in seeds: unsigned and signed files, both block sizes, chained segment tables.
    for (uint8_t flags : {0, 1, 4, 8 | 16, 1 | 8 | 16, 2 | 8}) {
      Bytes stage3(700, std::byte{0x5A}), kernel(3000, std::byte{0x11}), initrd(1500, std::byte{0x22});
      Bytes signed_kernel = image::append_signature(kernel, Bytes(64, std::byte{0x30}));
      Bytes in = {std::byte{flags}};
      for (size_t n : {stage3.size(), signed_kernel.size(), initrd.size()}) {
        in.push_back(std::byte(n >> 8));
        in.push_back(std::byte(n & 0xFF));
      }
      for (const Bytes* b : {&stage3, &signed_kernel, &initrd}) in.insert(in.end(), b->begin(), b->end());
      fuzz::dump_seed(in);
      one_input(in);
    }
    return 0;
  }
  one_input({reinterpret_cast<const std::byte*>(data), size});
  return 0;
}
