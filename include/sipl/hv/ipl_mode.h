// IPL modes derived from the machine options (QEMU docs/system/s390x/secure-ipl.rst,
// hw/s390x/ipl.c) and the IPLB header flags QEMU sets for each (QEMU hw/s390x/ipl.c,
// include/hw/s390x/ipl/qipl.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipl::hv {

enum class IplMode {
  kNormal,   // no certificates, secure-boot off: no checks
  kAudit,    // certificates, secure-boot off: problems are warnings
  kSecure,   // certificates, secure-boot on: problems stop the boot
  kInvalid,  // secure-boot on without certificates: the BIOS panics
};

inline constexpr uint8_t kIplbFlagSipl = 0x40;   // secure IPL requested
inline constexpr uint8_t kIplbFlagIplir = 0x20;  // IPL information report present/requested

// Returns the mode QEMU and the BIOS arrive at for these options.
IplMode ipl_mode(bool secure_boot, size_t certificate_count);
// Returns the IPLB hdr_flags QEMU sets for `mode`.
uint8_t iplb_header_flags(IplMode mode);
// Returns "normal", "audit", "secure" or "invalid" (the JSON spelling).
const char* to_string(IplMode mode);
// Returns a one-line explanation a user can act on, e.g. what Audit mode means.
const char* describe(IplMode mode);

}  // namespace sipl::hv
