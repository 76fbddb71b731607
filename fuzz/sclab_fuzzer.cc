// Fuzzes SCLAB location. Invariants: a found SCLAB lies inside the component, ends at its
// end and is at least 32 bytes; its fields are the bytes at their offsets; rebuilding a
// 32-byte SCLAB from the parsed fields reproduces the last 32 bytes except the reserved ones;
// appending a SCLAB always yields a 4 KiB multiple whose SCLAB is found again; the BIOS checks
// report one message per CEI bit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sipl/image/sclab.h"
#include "seed_disk.h"

namespace {

using namespace sipl;

void check(ByteSpan in) {
  auto p = image::find_sclab(in);
  if (p.sclab.has_value() == p.absent.has_value()) std::abort();
  if (p.sclab) {
    const auto& s = *p.sclab;
    if (s.length < image::kSclabFormat0Size || s.offset + s.length != in.size()) std::abort();
    if (s.flags != load_u16_be(in, s.offset + image::kSclabFlagsOffset)) std::abort();
    if (s.length == image::kSclabFormat0Size && s.format == 0) {
      Bytes again = image::build_sclab(s.flags, s.load_psw, s.load_addr);
      Bytes tail(in.end() - 32, in.end());
      tail[1] = std::byte{0};  // reserved bytes are not kept
      std::fill(tail.begin() + 4, tail.begin() + 8, std::byte{0});
      std::fill(tail.begin() + 24, tail.begin() + 26, std::byte{0});
      if (again != tail) std::abort();
    }
  }
  // check_sclab: one message per CEI bit (bits 0 and 1 share one), and "has a SCLAB" exactly
  // when bit 0 is clear.
  auto c = image::check_sclab(in, 0xA000);
  if (c.has_sclab == static_cast<bool>(c.cei & image::kCeiInvalidSclab)) std::abort();
  if (!c.has_sclab && (c.errors.size() != 1 || c.global)) std::abort();
  if (c.has_sclab && (c.errors.size() != static_cast<size_t>(__builtin_popcount(c.cei)) ||
                      c.global != static_cast<bool>(c.sclab->flags & image::kSclabFlagOpsw)))
    std::abort();
  if (in.size() <= 1 << 16) {
    Bytes s = image::build_sclab(image::kSclabFlagOpsw | image::kSclabFlagOla, 0x80000000'0000A000ull, 0xA000);
    Bytes out = image::append_sclab(in, s);
    if (out.size() % image::kSclabAlignment != 0 || out.size() < in.size() + 32) std::abort();
    auto q = image::find_sclab(out);
    if (!q.sclab || q.sclab->offset != out.size() - 32 || q.sclab->load_addr != 0xA000) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    Bytes plain = image::build_sclab(0, 0, 0);
    fuzz::dump_seed(plain);
    check(plain);
    Bytes big(64, std::byte{0});
    Bytes s = image::build_sclab(0x2000, 1, 2);
    std::copy(s.begin(), s.end(), big.end() - 32);
    store_u16_be(big, 64 - 6, 64);  // a 64-byte SCLAB
    fuzz::dump_seed(big);
    check(big);
  }
  check(ByteSpan(reinterpret_cast<const std::byte*>(data), size));
  return 0;
}
