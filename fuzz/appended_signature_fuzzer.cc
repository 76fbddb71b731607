// Fuzzes the appended-signature parser. Invariants: when parsing succeeds the parts add up to
// the input and re-appending them reproduces the input byte for byte; stripping never grows
// the data and ends in an unsigned remainder; nothing is read outside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sipl/image/appended_signature.h"
#include "seed_disk.h"

namespace {

using namespace sipl;

void check(ByteSpan in) {
  auto r = image::parse_appended_signature(in, "fuzz");
  if (!r) {
    if (r.error().message.empty() || !r.error().where.offset || *r.error().where.offset > in.size()) std::abort();
    return;
  }
  if (!*r) return;
  const auto& s = **r;
  if (s.payload.size() + s.signature.size() + image::kSignatureTrailerSize != in.size()) std::abort();
  if (s.payload_size != s.payload.size() || s.sig_len != s.signature.size() || s.sig_len == 0) std::abort();
  Bytes again = image::append_signature(s.payload, s.signature);
  if (again.size() != in.size() || !std::equal(again.begin(), again.end(), in.begin())) std::abort();
  auto stripped = image::strip_appended_signatures(in, "fuzz");
  if (stripped) {
    if (stripped->size() > s.payload.size()) std::abort();
    auto rest = image::parse_appended_signature(*stripped, "fuzz");
    if (!rest || rest->has_value()) std::abort();
  }
}

// Seeds built in code (also merged into fuzz/corpus/appended_signature): a valid trailer, a
// twice-signed file, and each malformed descriptor.
void run_seeds() {
  auto seed = [](ByteSpan b) {
    fuzz::dump_seed(b);
    check(b);
  };
  auto file = [](const std::string& payload, const std::string& sig, uint32_t sig_len, int poke = -1) {
    Bytes f(payload.size());
    std::transform(payload.begin(), payload.end(), f.begin(), [](char c) { return std::byte(c); });
    for (char c : sig) f.push_back(std::byte(c));
    Bytes t = image::signature_trailer(sig_len);
    if (poke >= 0) t[static_cast<size_t>(poke)] = std::byte{1};
    f.insert(f.end(), t.begin(), t.end());
    return f;
  };
  seed(file("payload", "SIG", 3));
  Bytes once = file("payload", "SIG", 3);
  seed(file(std::string(reinterpret_cast<const char*>(once.data()), once.size()), "S2", 2));
  seed(file("", "SIG", 3));
  seed(file("p", "SIG", 0));
  seed(file("p", "SIG", 0xFFFFFFFFu));
  for (int i = 0; i < 8; ++i) seed(file("p", "SIG", 3, i));
  seed(as_bytes(image::kSignatureMarker));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) run_seeds();
  check(ByteSpan(reinterpret_cast<const std::byte*>(data), size));
  return 0;
}
