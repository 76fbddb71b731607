// The JSON document of `sipl diag 320 --json`: return code or exception, and the block the guest
// read back decoded field by field (schema_version 2).
#pragma once

#include <cstdint>

#include "cli/json.h"

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/time.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/diag_call.h"

namespace sipl::cli {

// Returns the document for one DIAG 0x320 call against `store`, built at `at` with
// `store_warnings`.
Json diag320_json(const hv::Diag320Outcome& outcome, UnixTime at,
                                    const hv::CertificateStore& store, const Findings& store_warnings);

}  // namespace sipl::cli
