// SCLAB parsing and building (QEMU pc-bios/s390-ccw/secure-ipl.h). The locator's length comes from
// the input, so it is checked against the component size before it positions anything.
#include "sipl/image/sclab.h"

#include <algorithm>

#include "sipl/image/sclab_decode.h"

namespace sipl::image {

SclabParse find_sclab(ByteSpan tail, uint64_t component_size) {
  // Everything a SCLAB can touch lies in `tail`, so parse it there and shift the offset.
  SclabParse r = find_sclab(tail);
  if (r.sclab && tail.size() <= component_size) r.sclab->offset += component_size - tail.size();
  return r;
}

Sclab decode_sclab(const Fixed<kSclabFormat0Size>& b) {
  Sclab s;
  s.format = b.u8<kSclabFormatOffset>();
  s.flags = b.u16_be<kSclabFlagsOffset>();
  s.load_psw = b.u64_be<kSclabLoadPswOffset>();
  s.load_addr = b.u64_be<kSclabLoadAddrOffset>();
  return s;
}

SclabLocator decode_sclab_locator(const Fixed<kSclabLocatorSize>& b) {
  constexpr size_t kMagicSize = kSclabLocatorSize - kSclabLocatorMagicOffset;
  static_assert(kMagicSize == kSclabMagic.size());
  return {b.u16_be<kSclabLocatorLengthOffset>(),
          std::ranges::equal(b.bytes<kSclabLocatorMagicOffset, kMagicSize>(), as_bytes(kSclabMagic))};
}

// The result is a SclabParse, not a Result: a component without a usable SCLAB is a finding
// the BIOS reports in CEI bits, so every failed read maps to an SclabAbsence.
SclabParse find_sclab(ByteSpan component) {
  SclabParse r;
  const Reader rd(component, "component");
  auto loc = rd.fixed_at<kSclabLocatorSize>(component.size() - std::min(component.size(), kSclabLocatorSize),
                                            "SCLAB locator");
  if (!loc) {
    r.absent = SclabAbsence::kTooShort;
    return r;
  }
  const SclabLocator locator = decode_sclab_locator(*loc);
  if (!locator.magic) {
    r.absent = SclabAbsence::kNoMagic;
    return r;
  }
  const uint16_t length = locator.length;
  if (length < kSclabFormat0Size) {
    r.absent = SclabAbsence::kLengthBelow32;
    return r;
  }
  if (length > component.size()) {
    r.absent = SclabAbsence::kLengthBeyond;
    return r;
  }
  const size_t offset = component.size() - length;
  auto b = rd.fixed_at<kSclabFormat0Size>(offset, "SCLAB");  // fits: 32 <= length <= size
  if (!b) {
    r.absent = SclabAbsence::kLengthBeyond;
    return r;
  }
  Sclab s = decode_sclab(*b);
  s.offset = offset;
  s.length = length;
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
