// Shared CLI helpers: the JSON envelope, --at handling, the boot-certs store, output files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/json.h"
#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"
#include "sipl/hv/certificate_store.h"

namespace sipl::cli {

// Returns the time of `--at` (empty option: now).
Result<UnixTime> resolve_at(const std::string& at_option);

// What the verbs that take boot-certs paths start from: the --at time and QEMU's store.
struct LoadedStore {
  UnixTime at = 0;
  hv::CertificateStore store;
  Findings warnings;  // QEMU's warnings from building the store; already printed on stderr
};
// Returns the --at time and the store built from the boot-certs `paths`. Each warning QEMU
// would print is printed on stderr as `sipl: warning: ...` as the store is built, so also
// when a later path then makes the build fail (QEMU prints them before its error too).
Result<LoadedStore> load_store(const std::string& at_option, const std::vector<std::string>& paths);

// Writes `data` to `path` atomically, or to stdout when path is "-".
Status write_output(const std::string& path, ByteSpan data);

}  // namespace sipl::cli
