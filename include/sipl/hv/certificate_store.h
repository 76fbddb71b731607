// The certificate store QEMU builds from `boot-certs.N.path=` (qemu-secure-ipl.md §1.5, §2):
// QEMU's exact walk, limits and messages, and the totals DIAG 0x320 reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/crypto/certificate.h"

namespace sipl::hv {

inline constexpr size_t kMaxCertificates = 64;        // MAX_CERTIFICATES
inline constexpr size_t kMaxVceSize = 8192;           // MAX_VCENTRY_SIZE
inline constexpr size_t kVceHeaderSize = 128;
inline constexpr size_t kVcbHeaderSize = 64;
inline constexpr size_t kCertBufMaxLen = kMaxVceSize - kVceHeaderSize;  // 8064
inline constexpr size_t kKeyIdLen = 32;
inline constexpr size_t kHashLen = 32;
inline constexpr size_t kNameLen = 64;
// PEM files larger than this are refused before reading (QEMU would read them whole; no
// certificate QEMU accepts comes near it). See docs/DECISIONS.md.
inline constexpr uint64_t kMaxPemFileSize = 16 * 1024 * 1024;

struct StoreEntry {
  std::string path;         // as collected: a file argument, or <dir>/<name>
  std::string source_dir;   // the directory argument it came from; empty for a file argument
  std::string name;         // basename truncated to 64 (ASCII, unpadded)
  Bytes name_ebcdic;        // 64 bytes, blank-padded, EBCDIC (VCE name field)
  uint64_t pem_size = 0;    // raw file size
  crypto::Certificate cert;
  // 64 + round_up(der_size, 4): key id + hash + DER, as QEMU counts "data size".
  uint32_t data_size() const;
};

class CertificateStore {
 public:
  // Builds the store from the ordered boot-certs paths with QEMU's walk. Warnings QEMU
  // prints (skipped entries, empty directories) are appended to `warnings`; the first fatal
  // condition returns an Error whose message is QEMU's text verbatim (kBadInput/kIo/kLimit).
  static Result<CertificateStore> build(const std::vector<std::string>& paths, Findings* warnings);

  const std::vector<StoreEntry>& entries() const { return entries_; }
  size_t count() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Returns the largest per-certificate data size (QEMU's largest_cert_size).
  uint32_t largest_cert_size() const { return largest_; }
  // Returns the sum of per-certificate data sizes (QEMU's total_bytes).
  uint64_t total_bytes() const { return total_; }
  // Returns the VCB length that holds the largest certificate alone (VCSSB max_single_vcb_len;
  // 0 for an empty store).
  uint64_t max_single_vcb_len() const { return empty() ? 0 : kVcbHeaderSize + kVceHeaderSize + largest_; }
  // Returns the VCB length that holds every certificate (VCSSB total_vcb_len).
  uint64_t total_vcb_len() const { return kVcbHeaderSize + count() * kVceHeaderSize + total_; }

 private:
  std::vector<StoreEntry> entries_;
  uint32_t largest_ = 0;
  uint64_t total_ = 0;
};

}  // namespace sipl::hv
