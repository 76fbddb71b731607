// Meanings of the IIRB's error indicator bits (QEMU include/hw/s390x/ipl/qipl.h,
// pc-bios/s390-ccw/secure-ipl.h).
#include "sipl/fw/iirb_layout.h"

namespace sipl::fw::iirb {
namespace {

constexpr IndicatorBit kCei[] = {
    {0, kCeiInvalidSclab, "invalid or missing SCLAB"},
    {1, kCeiInvalidSclabLen, "invalid SCLAB length (< 32)"},
    {2, kCeiInvalidSclabFormat, "SCLAB format is not 0"},
    {3, kCeiUnmatchedSclabLoadAddr, "SCLAB load address differs from the component address"},
    {4, kCeiUnmatchedSclabLoadPsw, "global SCLAB load PSW differs from the EXEC PSW"},
    {5, kCeiInvalidLoadPsw, "load PSW does not point into a signed component"},
    {6, kCeiNucNotInGlobalSclab, "NUC flag in a non-global SCLAB"},
    {7, kCeiOlaNotOne, "global SCLAB without the OLA flag"},
    {8, kCeiScNotInGlobalSclab, "SC flag in a non-global SCLAB"},
    {9, kCeiLoadAddrNotZero, "OLA is 0 but the SCLAB load address is not 0"},
    {10, kCeiLoadPswNotZero, "OPSW is 0 but the SCLAB load PSW is not 0"},
    {11, kCeiInvalidUnsignedAddr, "unsigned component loaded below 0x2000"},
};

constexpr IndicatorBit kIiei[] = {
    {0, kIieiNoSignedComp, "no signed component"},
    {1, kIieiNoSclab, "no recognizable SCLAB in any signed component"},
    {2, kIieiNoGlobalSclab, "no global SCLAB"},
    {3, kIieiMoreGlobalSclab, "more than one global SCLAB"},
    {4, kIieiFoundUnsignedComp, "unsigned component while the global SCLAB sets NUC"},
    {5, kIieiMoreSignedComp, "global SCLAB sets SC but the program is not exactly one signed component"},
};

}  // namespace

std::vector<IndicatorBit> cei_bits(uint32_t cei) {
  std::vector<IndicatorBit> out;
  for (const auto& b : kCei)
    if (cei & b.mask) out.push_back(b);
  return out;
}

std::vector<IndicatorBit> iiei_bits(uint16_t iiei) {
  std::vector<IndicatorBit> out;
  for (const auto& b : kIiei)
    if (iiei & b.mask) out.push_back(b);
  return out;
}

}  // namespace sipl::fw::iirb
