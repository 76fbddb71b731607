// SCLAB: Secure Code Loading Attribute Block, the trailer at the very end of every component
// the s390-ccw BIOS checks in secure IPL (QEMU pc-bios/s390-ccw/secure-ipl.h, s390-tools
// zipl/boot/stage3.lds.S, Linux arch/s390/boot/vmlinux.lds.S). It is found through the 8-byte
// origin locator that ends the component: reserved u16, SCLAB length u16 (counted back from the
// component end), magic "zIPL". Format 0 is 32 bytes:
//   format u8 @0, reserved u8, flags u16 @2, reserved 4, load_psw u64 @8, load_addr u64 @16,
//   then (for a 32-byte SCLAB) the locator @24.
// The SCLAB lies inside the signed data, before any appended signature.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::image {

inline constexpr size_t kSclabLocatorSize = 8;
inline constexpr size_t kSclabLocatorLengthOffset = 2;  // from the locator start
inline constexpr size_t kSclabLocatorMagicOffset = 4;
inline constexpr std::string_view kSclabMagic = "zIPL";
inline constexpr size_t kSclabFormat0Size = 32;
inline constexpr size_t kSclabFormatOffset = 0;
inline constexpr size_t kSclabFlagsOffset = 2;
inline constexpr size_t kSclabLoadPswOffset = 8;
inline constexpr size_t kSclabLoadAddrOffset = 16;
static_assert(kSclabLoadAddrOffset + 8 + kSclabLocatorSize == kSclabFormat0Size);

// Flag bits (u16 @2).
inline constexpr uint16_t kSclabFlagOpsw = 0x8000;  // override PSW: the global SCLAB
inline constexpr uint16_t kSclabFlagOla = 0x4000;   // override load address
inline constexpr uint16_t kSclabFlagNuc = 0x2000;   // no unsigned components
inline constexpr uint16_t kSclabFlagSc = 0x1000;    // single component

// The kernel pads its image so the SCLAB ends on a 4 KiB boundary; sipl does the same.
inline constexpr size_t kSclabAlignment = 4096;

struct Sclab {
  uint64_t offset = 0;   // where the SCLAB starts in the component (component size - length)
  uint16_t length = 0;   // from the locator; >= 32
  uint8_t format = 0;
  uint16_t flags = 0;
  uint64_t load_psw = 0;
  uint64_t load_addr = 0;
};

// Why a component has no usable SCLAB, in the order the BIOS checks (CEI bits 0 and 1).
enum class SclabAbsence {
  kTooShort,      // fewer than 8 bytes: no locator
  kNoMagic,       // the locator's magic is not "zIPL"
  kLengthBelow32,  // locator length < 32
  kLengthBeyond,  // locator length > component size (QEMU does not check; sipl does)
};

struct SclabParse {
  std::optional<Sclab> sclab;          // set when a SCLAB was found
  std::optional<SclabAbsence> absent;  // set otherwise
};

// Returns the SCLAB at the end of `component`, or why there is none. Never reads outside
// `component`: the locator length is checked against the component size before use.
SclabParse find_sclab(ByteSpan component);

// How far back from the component end a SCLAB can start: the locator's length is a u16.
inline constexpr uint64_t kSclabMaxReach = 0xFFFF;

// find_sclab for a component of `component_size` bytes of which `tail` holds the last
// min(component_size, kSclabMaxReach) or more: the same answer, with offsets into the whole
// component, without the caller materializing a 64 MiB kernel.
SclabParse find_sclab(ByteSpan tail, uint64_t component_size);

// Returns the text for an absence reason, e.g. "Magic does not match. SCLAB does not exist"
// where the BIOS has a message.
std::string describe(SclabAbsence a);

// Component Error Indicator bits (IIRB component entry, u32, bit 0 = 0x80000000) the
// per-component SCLAB checks set (QEMU pc-bios/s390-ccw/secure-ipl.h and secure-ipl.c).
inline constexpr uint32_t kCeiInvalidSclab = 0x80000000;        // bit 0
inline constexpr uint32_t kCeiInvalidSclabLength = 0x40000000;  // bit 1
inline constexpr uint32_t kCeiFormatNotZero = 0x20000000;       // bit 2
inline constexpr uint32_t kCeiLoadAddressMismatch = 0x10000000; // bit 3
inline constexpr uint32_t kCeiNucNotGlobal = 0x02000000;        // bit 6
inline constexpr uint32_t kCeiGlobalWithoutOla = 0x01000000;    // bit 7
inline constexpr uint32_t kCeiScNotGlobal = 0x00800000;         // bit 8
inline constexpr uint32_t kCeiLoadAddressNotZero = 0x00400000;  // bit 9
inline constexpr uint32_t kCeiLoadPswNotZero = 0x00200000;      // bit 10

struct SclabCheck {
  std::optional<Sclab> sclab;  // set when the locator led to a SCLAB
  bool has_sclab = false;      // the BIOS's "has a SCLAB": CEI bit 0 clear
  bool global = false;         // OPSW set: the global SCLAB (duplicates are the caller's check)
  uint32_t cei = 0;            // CEI bits set, kCei*
  std::vector<std::string> errors;  // the BIOS's messages, in the order it prints them
};

// Returns the result of the BIOS's per-component SCLAB checks (QEMU pc-bios/s390-ccw/secure-ipl.c
// zipl_run_secure, steps 1-8) for a signed component loaded at `load_address`. A locator length
// beyond the component (which QEMU does not check) counts as an invalid length (bits 0 and 1).
SclabCheck check_sclab(ByteSpan component, uint64_t load_address);
// check_sclab for a component of `component_size` bytes of which `tail` holds the last
// min(component_size, kSclabMaxReach) or more (as find_sclab(tail, component_size)).
SclabCheck check_sclab(ByteSpan tail, uint64_t component_size, uint64_t load_address);

// Returns the 32 bytes of a format-0 SCLAB with its locator.
Bytes build_sclab(uint16_t flags, uint64_t load_psw, uint64_t load_addr);

// Returns `component` padded with zeros so that `sclab` (32 bytes) ends on a 4 KiB boundary,
// followed by `sclab`: the layout of the kernel's image trailer.
Bytes append_sclab(ByteSpan component, ByteSpan sclab);

}  // namespace sipl::image
