// QEMU's certificate-store walk (hw/s390x/cert-store.c as merged), re-done from its behaviour:
// collect every path first (fatal errors during collection), then the 64-certificate limit,
// then load each file in order; the first failure ends the walk with QEMU's message.
#include "sipl/hv/certificate_store.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "sipl/base/ebcdic.h"
#include "sipl/base/file.h"

namespace sipl::hv {
namespace {

bool ends_with_pem(std::string_view s) { return s.size() >= 4 && s.substr(s.size() - 4) == ".pem"; }

// g_path_get_basename: the last component, ignoring trailing slashes.
std::string basename_of(const std::string& path) {
  size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) return path.empty() ? "." : "/";
  size_t start = path.find_last_of('/', end);
  return path.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// g_build_filename(dir, name): one separator between the parts.
std::string join(const std::string& dir, const std::string& name) {
  size_t end = dir.find_last_not_of('/');
  if (end == std::string::npos) return "/" + name;
  return dir.substr(0, end + 1) + "/" + name;
}

struct Collected {
  std::string path;
  std::string source_dir;
};

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

Status collect(const std::vector<std::string>& paths, std::vector<Collected>& out, Findings* warnings) {
  // QEMU's text names only the entry; sipl puts the directory in front of it (several
  // directories may be given) and in the parameters.
  auto warn = [&](std::string id, std::string msg, std::string path, std::string directory) {
    if (warnings)
      warnings->push_back(Finding{Severity::kWarning, std::move(id), std::move(msg),
                                  {{"path", path}, {"directory", std::move(directory)}}, Location(path)});
  };
  for (const std::string& p : paths) {
    if (p.empty()) return fail(ErrorCode::kBadInput, "Empty path in certificate path list is not allowed");
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
      return fail(ErrorCode::kIo, fmt::format("Failed to stat path '{}': {}", p, std::strerror(errno)));
    if (S_ISREG(st.st_mode)) {
      if (!ends_with_pem(p))
        return fail(ErrorCode::kBadInput, fmt::format("Certificate file '{}' must have a .pem extension", p));
      out.push_back({p, ""});
    } else if (S_ISDIR(st.st_mode)) {
      std::unique_ptr<DIR, DirCloser> dir(::opendir(p.c_str()));
      if (!dir)
        // GLib's g_dir_open text, which QEMU embeds.
        return fail(ErrorCode::kIo, fmt::format("Failed to open directory '{}': Error opening directory \u201c{}\u201d: {}",
                                                p, p, std::strerror(errno)));
      bool is_empty = true;
      // One level, raw readdir order, no sorting: exactly what g_dir_read_name yields.
      // The loop ends because readdir returns each entry of a directory once.
      while (dirent* e = ::readdir(dir.get())) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        is_empty = false;
        if (ends_with_pem(name)) {
          out.push_back({join(p, name), p});
          if (out.size() > 64 * 1024)  // far past the limit: stop collecting, the count check fails
            break;
        } else {
          warn(ids::kStoreSkipNotPem, fmt::format("{}: skipping '{}': not a .pem file", p, name), join(p, name), p);
        }
      }
      if (is_empty) warn(ids::kStoreEmptyDirectory, fmt::format("'{}' directory is empty", p), p, p);
    } else {
      return fail(ErrorCode::kBadInput, fmt::format("Path '{}' is neither a file nor a directory", p));
    }
  }
  return {};
}

// Returns the number of certificate PEM blocks in `data` (GnuTLS's import reads the first).
size_t pem_certificate_count(ByteSpan data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  size_t n = 0;
  for (const char* label : {"-----BEGIN CERTIFICATE-----", "-----BEGIN X509 CERTIFICATE-----"})
    for (size_t p = text.find(label); p != std::string_view::npos; p = text.find(label, p + 1)) ++n;
  return n;
}

Result<StoreEntry> load(const Collected& c, Findings* warnings) {
  // QEMU reads the whole file with g_file_get_contents. sipl refuses non-regular files and
  // files over kMaxPemFileSize instead of blocking on a FIFO or reading a device forever.
  auto data = read_file(c.path, kMaxPemFileSize);
  if (!data) {
    Error e{data.error().code, fmt::format("Failed to load certificate: {}", c.path), Location(), ""};
    e.hint = data.error().to_string();
    return tl::unexpected(e);
  }
  auto cert = crypto::Certificate::from_pem(*data);
  if (!cert)
    return fail(ErrorCode::kBadInput, fmt::format("Failed to initialize certificate: {}: Failed to import certificate: {}",
                                                  c.path, cert.error().message));
  if (const size_t n = pem_certificate_count(*data); n > 1 && warnings)
    warnings->push_back(Finding{Severity::kWarning, ids::kStorePemMultipleCertificates,
                                fmt::format("{} holds {} certificates; QEMU loads only the first ({}) into the "
                                            "store: put each certificate in a file of its own",
                                            c.path, n, cert->subject()),
                                {{"path", c.path}, {"count", std::to_string(n)}}});
  StoreEntry e;
  e.path = c.path;
  e.source_dir = c.source_dir;
  e.name = basename_of(c.path).substr(0, kNameLen);
  e.name_ebcdic = ebcdic_padded(e.name, kNameLen);
  e.pem_size = data->size();
  e.cert = std::move(*cert);
  return e;
}

}  // namespace

uint32_t StoreEntry::data_size() const {
  return static_cast<uint32_t>(round_up(kKeyIdLen, 4) + round_up(kHashLen, 4) + round_up(cert.der().size(), 4));
}

Result<CertificateStore> CertificateStore::build(const std::vector<std::string>& paths, Findings* warnings) {
  std::vector<Collected> collected;
  if (auto ok = collect(paths, collected, warnings); !ok) return tl::unexpected(ok.error());
  if (collected.size() > kMaxCertificates)
    return fail(ErrorCode::kLimit, fmt::format("Cert store exceeds maximum of {} certificates", kMaxCertificates));
  CertificateStore store;
  store.entries_.reserve(collected.size());
  for (const Collected& c : collected) {
    auto e = load(c, warnings);
    if (!e) return tl::unexpected(e.error());
    uint32_t size = e->data_size();
    if (size > kCertBufMaxLen) {
      Error err{ErrorCode::kLimit,
                fmt::format("Certificate data size {} exceeds maximum buffer size {}", size, kCertBufMaxLen),
                Location(), ""};
      err.hint = fmt::format("{} is {} bytes in DER; a certificate must be at most {} bytes to fit a VCE", c.path,
                             e->cert.der().size(), kCertBufMaxLen - kKeyIdLen - kHashLen);
      return tl::unexpected(err);
    }
    store.largest_ = std::max(store.largest_, size);
    store.total_ += size;
    store.entries_.push_back(std::move(*e));
  }
  return store;
}

}  // namespace sipl::hv
