// What `sipl verify` found, and its text and JSON forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/finding.h"
#include "sipl/base/time.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/hv/certificate_store.h"

namespace sipl::cli {

struct VerifyReport {
  std::string file;
  std::string signature_source;  // "appended" or the --signature path; empty if none
  UnixTime at = 0;
  uint64_t payload_size = 0;
  uint64_t signature_size = 0;
  const hv::CertificateStore* store = nullptr;
  std::optional<uint16_t> diag508_rc;          // what DIAG 0x508 would return
  std::optional<crypto::VerifyVerdict> verdict;  // when certificates were tried
  // QEMU's warnings from building the store: already on stderr, so only JSON repeats them.
  Findings store_warnings;
  Findings findings;  // what verify itself found
  int exit_code = 1;
};

// Prints `r` on stdout as text or as the JSON document (schema_version 1). The JSON
// "findings" list the store warnings first, then the rest; the text leaves the store
// warnings out, since they were printed on stderr when the store was built.
void print_report(const VerifyReport& r, bool json);

}  // namespace sipl::cli
