#include "sipl/base/ebcdic.h"

#include <array>
#include <cstdint>

namespace sipl {
namespace {
#include "ebcdic_tables.inc"
}  // namespace

Bytes ascii_to_ebcdic(std::string_view ascii) {
  Bytes out(ascii.size());
  for (size_t i = 0; i < ascii.size(); ++i)
    out[i] = std::byte{kAsciiToEbcdic[static_cast<uint8_t>(ascii[i])]};
  return out;
}

std::string ebcdic_to_ascii(ByteSpan ebcdic) {
  std::string out(ebcdic.size(), '\0');
  for (size_t i = 0; i < ebcdic.size(); ++i)
    out[i] = static_cast<char>(kEbcdicToAscii[std::to_integer<uint8_t>(ebcdic[i])]);
  return out;
}

std::string ebcdic_name_to_ascii(ByteSpan ebcdic) {
  static const auto inverse = [] {
    std::array<char, 256> t{};
    t.fill('?');
    for (int c = 0x7e; c >= 0x20; --c) t[kAsciiToEbcdic[c]] = static_cast<char>(c);
    return t;
  }();
  std::string out(ebcdic.size(), '\0');
  for (size_t i = 0; i < ebcdic.size(); ++i) out[i] = inverse[std::to_integer<uint8_t>(ebcdic[i])];
  return out;
}

Bytes ebcdic_padded(std::string_view name, size_t width) {
  std::string s(name.substr(0, width));
  s.resize(width, ' ');
  return ascii_to_ebcdic(s);
}

}  // namespace sipl
