// IIEI / CEI bit meanings and console messages, transcribed from QEMU include/hw/s390x/ipl/qipl.h,
// pc-bios/s390-ccw/secure-ipl.h.
#include <array>

#include "sipl/guest/ipl_report.h"
#include "sipl/guest/ipl_report_layout.h"

namespace sipl::guest {
namespace {

struct BitText {
  uint32_t mask;
  const char* meaning;
  const char* message;
};

namespace L = layout;

constexpr std::array<BitText, 6> kIieiBits{{
    {L::iiei::kNoSignedComponent, "no signed component", "Secure boot is on, but components are not signed"},
    {L::iiei::kNoSclab, "no (recognizable) SCLAB in any signed component", "No recognizable SCLAB"},
    {L::iiei::kNoGlobalSclab, "no global SCLAB", "Global SCLAB does not exist"},
    {L::iiei::kMultipleGlobalSclab, "more than one global SCLAB", "More than one global SCLAB"},
    {L::iiei::kUnsignedWithNuc, "unsigned component found while global NUC set",
     "Unsigned components are not allowed"},
    {L::iiei::kNotSingleComponent,
     "global SC set but not exactly one signed and zero unsigned components",
     "Only one signed component is allowed"},
}};

constexpr std::array<BitText, 12> kCeiBits{{
    {L::cei::kInvalidSclab, "invalid/missing SCLAB", "Magic does not match. SCLAB does not exist"},
    {L::cei::kInvalidSclabLen, "invalid SCLAB length (< 32)", "Invalid SCLAB length"},
    {L::cei::kInvalidSclabFormat, "SCLAB format != 0", "Format-0 SCLAB is not being used"},
    {L::cei::kLoadAddrMismatch, "SCLAB load address != component address (OLA=1)",
     "Load Address does not match with component load address"},
    {L::cei::kLoadPswMismatch, "global SCLAB load PSW != exec PSW",
     "Load PSW does not match with PSW in component"},
    {L::cei::kInvalidLoadPsw, "invalid load PSW", "Invalid PSW"},
    {L::cei::kNucNotGlobal, "NUC flag in a non-global SCLAB", "NUC bit is set, but not in the global SCLAB"},
    {L::cei::kGlobalWithoutOla, "global SCLAB (OPSW=1) without OLA=1",
     "OLA flag is not set to one in the global SCLAB"},
    {L::cei::kScNotGlobal, "SC flag in a non-global SCLAB", "SC bit is set, but not in the global SCLAB"},
    {L::cei::kLoadAddrNotZero, "OLA=0 but load-address field != 0",
     "Load Address is not zero when OLA flag is zero"},
    {L::cei::kLoadPswNotZero, "OPSW=0 but load-PSW field != 0",
     "Load PSW is not zero when Override PSW bit is zero"},
    {L::cei::kUnsignedBelow0x2000, "unsigned component loaded below 0x2000",
     "Load address for unsigned component is less than 0x2000"},
}};

// Walks the mask from bit 0 (the most significant) so the order is the order of the bit definitions
// in QEMU's pc-bios/s390-ccw/secure-ipl.h.
template <size_t N>
std::vector<IndicatorBit> decode(uint32_t value, int width, const std::array<BitText, N>& table) {
  std::vector<IndicatorBit> out;
  for (int bit = 0; bit < width; ++bit) {
    const uint32_t mask = uint32_t{1} << (width - 1 - bit);
    if (!(value & mask)) continue;
    IndicatorBit b{bit, mask, "reserved", ""};
    for (const auto& t : table)
      if (t.mask == mask) { b.meaning = t.meaning; b.message = t.message; }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace

std::vector<IndicatorBit> decode_iiei(uint16_t iiei) { return decode(iiei, 16, kIieiBits); }

std::vector<IndicatorBit> decode_cei(uint32_t cei) { return decode(cei, 32, kCeiBits); }

}  // namespace sipl::guest
