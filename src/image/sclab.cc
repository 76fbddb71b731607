// SCLAB parsing and building (QEMU pc-bios/s390-ccw/secure-ipl.h). The locator's length comes from
// the input, so it is checked against the component size before it positions anything.
#include "sipl/image/sclab.h"

#include <algorithm>

namespace sipl::image {

SclabParse find_sclab(ByteSpan tail, uint64_t component_size) {
  // Everything a SCLAB can touch lies in `tail`, so parse it there and shift the offset.
  SclabParse r = find_sclab(tail);
  if (r.sclab && tail.size() <= component_size) r.sclab->offset += component_size - tail.size();
  return r;
}

SclabParse find_sclab(ByteSpan component) {
  SclabParse r;
  if (component.size() < kSclabLocatorSize) {
    r.absent = SclabAbsence::kTooShort;
    return r;
  }
  ByteSpan locator = component.last(kSclabLocatorSize);
  if (!std::ranges::equal(locator.subspan(kSclabLocatorMagicOffset), as_bytes(kSclabMagic))) {
    r.absent = SclabAbsence::kNoMagic;
    return r;
  }
  const uint16_t length = load_u16_be(locator, kSclabLocatorLengthOffset);
  if (length < kSclabFormat0Size) {
    r.absent = SclabAbsence::kLengthBelow32;
    return r;
  }
  if (length > component.size()) {
    r.absent = SclabAbsence::kLengthBeyond;
    return r;
  }
  Sclab s;
  s.offset = component.size() - length;
  s.length = length;
  ByteSpan b = component.subspan(s.offset);  // at least 32 bytes
  s.format = std::to_integer<uint8_t>(b[kSclabFormatOffset]);
  s.flags = load_u16_be(b, kSclabFlagsOffset);
  s.load_psw = load_u64_be(b, kSclabLoadPswOffset);
  s.load_addr = load_u64_be(b, kSclabLoadAddrOffset);
  r.sclab = s;
  return r;
}

std::string describe(SclabAbsence a) {
  switch (a) {
    case SclabAbsence::kTooShort: return "Signed component too short to contain SCLAB locator";
    case SclabAbsence::kNoMagic: return "Magic does not match. SCLAB does not exist";
    case SclabAbsence::kLengthBelow32: return "Invalid SCLAB length";
    case SclabAbsence::kLengthBeyond: return "SCLAB length is larger than the component";
  }
  return "SCLAB does not exist";
}

SclabCheck check_sclab(ByteSpan component, uint64_t load_address) {
  return check_sclab(component, component.size(), load_address);
}

SclabCheck check_sclab(ByteSpan tail, uint64_t component_size, uint64_t load_address) {
  SclabCheck c;
  auto found = find_sclab(tail, component_size);
  if (found.absent) {
    const bool bad_length = *found.absent == SclabAbsence::kLengthBelow32 || *found.absent == SclabAbsence::kLengthBeyond;
    c.cei = kCeiInvalidSclab | (bad_length ? kCeiInvalidSclabLength : 0);
    c.errors.push_back(describe(*found.absent));
    return c;
  }
  const Sclab& s = *found.sclab;
  c.sclab = s;
  c.has_sclab = true;
  auto error = [&c](uint32_t bit, const char* message) {
    c.cei |= bit;
    c.errors.emplace_back(message);
  };
  if (s.format != 0) error(kCeiFormatNotZero, "Format-0 SCLAB is not being used");
  const bool opsw = s.flags & kSclabFlagOpsw, ola = s.flags & kSclabFlagOla;
  if (!opsw) {
    if (s.load_psw != 0) error(kCeiLoadPswNotZero, "Load PSW is not zero when Override PSW bit is zero");
  } else {
    c.global = true;
    if (!ola) error(kCeiGlobalWithoutOla, "OLA flag is not set to one in the global SCLAB");
  }
  if (!ola) {
    if (s.load_addr != 0) error(kCeiLoadAddressNotZero, "Load Address is not zero when OLA flag is zero");
  } else if (s.load_addr != load_address) {
    error(kCeiLoadAddressMismatch, "Load Address does not match with component load address");
  }
  if ((s.flags & kSclabFlagNuc) && !opsw) error(kCeiNucNotGlobal, "NUC bit is set, but not in the global SCLAB");
  if ((s.flags & kSclabFlagSc) && !opsw) error(kCeiScNotGlobal, "SC bit is set, but not in the global SCLAB");
  return c;
}

Bytes build_sclab(uint16_t flags, uint64_t load_psw, uint64_t load_addr) {
  Bytes b(kSclabFormat0Size, std::byte{0});
  store_u8(b, kSclabFormatOffset, 0);
  store_u16_be(b, kSclabFlagsOffset, flags);
  store_u64_be(b, kSclabLoadPswOffset, load_psw);
  store_u64_be(b, kSclabLoadAddrOffset, load_addr);
  const size_t loc = kSclabFormat0Size - kSclabLocatorSize;
  store_u16_be(b, loc + kSclabLocatorLengthOffset, static_cast<uint16_t>(kSclabFormat0Size));
  store_bytes(b, loc + kSclabLocatorMagicOffset, as_bytes(kSclabMagic));
  return b;
}

Bytes append_sclab(ByteSpan component, ByteSpan sclab) {
  const uint64_t total = round_up(component.size() + sclab.size(), kSclabAlignment);
  Bytes out;
  out.reserve(total);
  out.insert(out.end(), component.begin(), component.end());
  out.resize(total - sclab.size(), std::byte{0});
  out.insert(out.end(), sclab.begin(), sclab.end());
  return out;
}

}  // namespace sipl::image
