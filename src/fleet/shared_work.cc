#include "fleet/shared_work.h"

#include <climits>
#include <cstdlib>
#include <sys/stat.h>

#include <fmt/format.h>

#include "sipl/image/boot_disk.h"

namespace sipl::fleet::detail {

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "?" + path;
  char buf[PATH_MAX];
  const char* canonical = ::realpath(path.c_str(), buf);
  return fmt::format("{} {}:{}:{}:{}.{}", canonical ? canonical : path.c_str(), st.st_dev, st.st_ino, st.st_size,
                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

const StoreBuild& SharedWork::store(const std::vector<std::string>& paths, std::string* key) {
  std::string k;
  for (const auto& p : paths) k += file_identity(p) + "\n";
  *key = k;
  return stores_.get(k, [&] {
    StoreBuild b;
    auto s = hv::CertificateStore::build(paths, &b.warnings);
    if (s) b.store = std::make_shared<const hv::CertificateStore>(std::move(*s));
    else b.error = s.error();
    return b;
  });
}

const DiskOpen& SharedWork::disk(const std::string& path) {
  return disks_.get(file_identity(path), [&] {
    DiskOpen d;
    auto img = image::open_boot_disk(path);
    if (img) d.disk = img->with_read_cache(kDiskCacheBytes);
    else d.error = img.error();
    return d;
  });
}

uint64_t SharedWork::disk_bytes_read() const {
  uint64_t n = 0;
  disks_.for_each([&](const DiskOpen& d) {
    if (d.disk) n += d.disk->bytes_read_from_backend();
  });
  return n;
}

}  // namespace sipl::fleet::detail
