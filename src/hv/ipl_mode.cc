#include "sipl/hv/ipl_mode.h"

namespace sipl::hv {

IplMode ipl_mode(bool secure_boot, size_t certificate_count) {
  if (secure_boot) return certificate_count > 0 ? IplMode::kSecure : IplMode::kInvalid;
  return certificate_count > 0 ? IplMode::kAudit : IplMode::kNormal;
}

uint8_t iplb_header_flags(IplMode mode) {
  switch (mode) {
    case IplMode::kNormal: return 0;
    case IplMode::kAudit: return kIplbFlagIplir;
    case IplMode::kSecure:
    case IplMode::kInvalid: return kIplbFlagSipl | kIplbFlagIplir;
  }
  return 0;
}

const char* to_string(IplMode mode) {
  switch (mode) {
    case IplMode::kNormal: return "normal";
    case IplMode::kAudit: return "audit";
    case IplMode::kSecure: return "secure";
    case IplMode::kInvalid: return "invalid";
  }
  return "invalid";
}

const char* describe(IplMode mode) {
  switch (mode) {
    case IplMode::kNormal: return "Normal: no certificates, signatures are not checked";
    case IplMode::kAudit: return "Audit: every check runs, problems are printed as warnings and the boot goes on";
    case IplMode::kSecure: return "Secure: every check runs, any problem stops the boot";
    case IplMode::kInvalid:
      return "invalid: secure-boot=on without certificates; the BIOS stops with "
             "'Need at least one certificate for secure boot!'";
  }
  return "";
}

}  // namespace sipl::hv
