// What the guest OS (Linux) sees after a (secure) IPL: the IPL Parameter Block (IPLB) header
// flags and the IPL Information Report Block (IIRB) behind it, read back out of guest memory
// the way Linux's early boot does (arch/s390/boot/ipl_report.c, Linux arch/s390/boot/ipl_report.c,
// arch/s390/include/uapi/asm/ipl.h): /sys/firmware/ipl/secure, the components dmesg lists, and the
// certificates that land in the .platform keyring ("IPL:db"). IIEI = IPL Info Error Indicators, CEI
// = Component Error Indicators (QEMU include/hw/s390x/ipl/qipl.h, pc-bios/s390-ccw/secure-ipl.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/guest/platform_keyring.h"
#include "sipl/hv/guest_memory.h"

namespace sipl::guest {

// One set bit of an IIEI or CEI mask with the meaning QEMU's pc-bios/s390-ccw/secure-ipl.h gives it
// and console message.
struct IndicatorBit {
  int bit = 0;          // IBM numbering: 0 = most significant
  uint32_t mask = 0;
  std::string meaning;  // e.g. "invalid/missing SCLAB"
  std::string message;  // the BIOS console text for it
};

struct ReportComponent {
  uint64_t offset = 0;  // of the entry, from the start of the IIRB
  uint64_t addr = 0;    // load address (the load PSW for the final pseudo-entry)
  uint64_t len = 0;
  uint8_t flags = 0;
  bool is_signed = false;    // SC 0x80
  bool verified = false;     // CSV 0x40
  uint16_t cert_index = 0;   // meaningful when signed and verified
  uint32_t cei = 0;
  std::vector<IndicatorBit> cei_bits;
  // Returns Linux's dmesg wording: "signed, verified", "signed, verification failed", "not signed".
  std::string status() const;
};

struct ReportCertificate {
  uint64_t offset = 0;  // of the entry, from the start of the IIRB
  uint64_t addr = 0;    // absolute address of the DER copy
  uint64_t len = 0;
  Bytes der;             // the certificate bytes Linux hands to its X.509 parser
  bool parsed = false;  // OpenSSL could read it (subject, key_id and fingerprint are set)
  std::string subject;      // RFC 2253
  std::string key_id;       // lower-case hex SHA-256 of the SubjectPublicKeyInfo
  std::string fingerprint;  // lower-case hex SHA-256 of the DER
  // Linux's key description in .platform ("<O>: <CN>: <SKID hex>"), empty when Linux did not
  // load the key (see GuestView::keyring for why).
  std::string description;
};

struct IplReport {
  uint64_t addr = 0;  // align8(iplb_addr + iplb.len)
  uint32_t len = 0;   // IIRB header len
  uint8_t flags = 0;
  bool has_components = false;    // a component list (type 2) was walked
  bool has_certificates = false;  // a certificate list (type 1) was walked
  uint16_t iiei = 0;
  std::vector<IndicatorBit> iiei_bits;
  std::vector<ReportComponent> components;
  std::vector<ReportCertificate> certificates;
  // Returns true when Linux keeps the report (both lists present); otherwise it ignores it.
  bool used_by_linux() const { return has_components && has_certificates; }
};

struct GuestView {
  uint64_t iplb_addr = 0;
  uint32_t iplb_len = 0;
  uint8_t hdr_flags = 0;
  uint8_t iplb_version = 0;
  bool iplb_valid = false;  // Linux's ipl_block_valid: version <= 0
  // /sys/firmware/ipl/secure: SIPL, taken only when the IPLB is valid and has IPLIR.
  bool secure = false;
  // /sys/firmware/ipl/has_secure: the SCLP secure-IPL facility; unknown when not given.
  std::optional<bool> has_secure;
  std::optional<IplReport> report;  // present when the IPLB flags say IPLIR
  GuestKernel kernel;               // the kernel whose behaviour `keyring` models
  // What load_ipl_certs did with each certificate of a used report, in list order (empty
  // when Linux ignores the report).
  std::vector<PlatformKeyLoad> keyring;
  Findings findings;                // what Linux would ignore, keys it could not load, oddities
  // Returns the certificates that are in .platform after the boot (with their descriptions).
  std::vector<ReportCertificate> platform_keyring() const;
};

// Returns the guest view of the IPLB at `iplb_addr` and its report. `has_sipl_facility` is the
// SCLP facility behind has_secure (not in guest memory); `kernel` decides which certificates
// land in .platform. Errors (kBadInput / kLimit) name the block and offset where the report
// leaves guest memory, exceeds the BIOS's capacities, or would make Linux's walk loop forever.
Result<GuestView> read_ipl_report(const hv::GuestMemory& mem, uint64_t iplb_addr,
                                  std::optional<bool> has_sipl_facility = std::nullopt,
                                  const GuestKernel& kernel = {});
// Returns the guest view of the IPLB that lowcore 0x14 points to (as Linux finds it).
Result<GuestView> read_ipl_report_from_lowcore(const hv::GuestMemory& mem,
                                               std::optional<bool> has_sipl_facility = std::nullopt,
                                               const GuestKernel& kernel = {});

// Returns the set bits of an IIEI mask with their meanings (unknown bits as "reserved").
std::vector<IndicatorBit> decode_iiei(uint16_t iiei);
// Returns the set bits of a CEI mask with their meanings (unknown bits as "reserved").
std::vector<IndicatorBit> decode_cei(uint32_t cei);

}  // namespace sipl::guest
