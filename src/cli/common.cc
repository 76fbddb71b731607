#include "cli/common.h"

#include <cstdio>

#include <fmt/format.h>

#include "sipl/base/file.h"

namespace sipl::cli {

Result<UnixTime> resolve_at(const std::string& at_option) {
  if (at_option.empty()) return now();
  return parse_time(at_option);
}

Result<LoadedStore> load_store(const std::string& at_option, const std::vector<std::string>& paths) {
  LoadedStore loaded;
  auto at = resolve_at(at_option);
  if (!at) return tl::unexpected(at.error());
  loaded.at = *at;
  auto store = hv::CertificateStore::build(paths, &loaded.warnings);
  for (const auto& w : loaded.warnings) fmt::print(stderr, "sipl: warning: {}\n", w.message);
  if (!store) return tl::unexpected(store.error());
  loaded.store = std::move(*store);
  return loaded;
}

Status write_output(const std::string& path, ByteSpan data) {
  if (path == "-") {
    if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size())
      return fail(ErrorCode::kIo, "cannot write to standard output");
    std::fflush(stdout);
    return {};
  }
  return write_file_atomic(path, data);
}

}  // namespace sipl::cli
