// The text and JSON forms of what `sipl verify` found (fw::verify_component).
#pragma once

#include "sipl/base/finding.h"
#include "sipl/fw/verify_component.h"
#include "sipl/hv/certificate_store.h"

namespace sipl::cli {

struct VerifyReport {
  const fw::ComponentVerification& verification;
  const hv::CertificateStore& store;
  // QEMU's warnings from building the store: already on stderr, so only JSON repeats them.
  const Findings& store_warnings;
};

// Prints `r` on stdout as text or as the JSON document. The JSON "findings" list the store
// warnings first, then the rest; the text leaves the store warnings out, since they were
// printed on stderr when the store was built.
void print_report(const VerifyReport& r, bool json);

}  // namespace sipl::cli
