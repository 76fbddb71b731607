#include "sipl/hv/store_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "sipl/hv/diag320.h"

namespace sipl::hv {

bool StoreReport::has_invalid() const { return std::find(vce_valid.begin(), vce_valid.end(), false) != vce_valid.end(); }

StoreReport report_store(const CertificateStore& store, UnixTime at) {
  StoreReport r;
  r.at = at;
  r.max_single_vcb_len = store.max_single_vcb_len();
  r.total_vcb_len = store.total_vcb_len();
  r.mode_secure_boot_off = ipl_mode(false, store.count());
  r.mode_secure_boot_on = ipl_mode(true, store.count());
  const auto& es = store.entries();
  for (size_t i = 0; i < es.size();) {
    size_t j = i;
    while (j + 1 < es.size() && !es[i].source_dir.empty() && es[j + 1].source_dir == es[i].source_dir) ++j;
    if (j > i) {
      r.directory_runs.push_back({es[i].source_dir, i + 1, j + 1});
      r.notes.push_back({Severity::kInfo, ids::kStoreDirectoryOrder,
                         fmt::format("certificates {}-{} come from directory '{}' in its read order (as QEMU reads "
                                     "it, unsorted); the order can differ on another file system or after files "
                                     "are copied",
                                     i + 1, j + 1, es[i].source_dir),
                         {{"dir", es[i].source_dir}}});
    }
    i = j + 1;
  }
  for (size_t i = 0; i < es.size(); ++i) {
    const auto problem = vce_problem(es[i], at);
    r.valid_at.push_back(es[i].cert.valid_at(at));
    r.vce_valid.push_back(!problem);
    if (!r.valid_at.back())
      r.notes.push_back({Severity::kWarning, ids::kStoreInvalidAt,
                         fmt::format("certificate {} ({}) is not valid at {}: the guest receives it marked invalid "
                                     "and it verifies nothing",
                                     i + 1, es[i].path, format_time(at)),
                         {{"path", es[i].path}}});
    else if (problem == VceProblem::kKeyUnreadable)
      r.notes.push_back({Severity::kWarning, ids::kStoreKeyUnreadable,
                         fmt::format("certificate {} ({}): QEMU cannot read its public key ({}): the guest receives "
                                     "it marked invalid and it verifies nothing",
                                     i + 1, es[i].path, es[i].cert.gnutls_key_problem()),
                         {{"path", es[i].path}}});
  }
  return r;
}

}  // namespace sipl::hv
