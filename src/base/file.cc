#include "sipl/base/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace sipl {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Error io_error(const std::string& path, const std::string& what, int err) {
  return Error{ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(err)), Location{path}};
}

// Opens `path` for reading only if it is a regular file: a FIFO would block in open(2),
// so O_NONBLOCK is used and the type checked with fstat on the descriptor (no race).
Result<std::pair<int, uint64_t>> open_regular(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return tl::unexpected(io_error(path, "cannot open", errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return tl::unexpected(io_error(path, "cannot stat", e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::kIo, "not a regular file", Location{path});
  }
  return std::make_pair(fd, static_cast<uint64_t>(st.st_size));
}

}  // namespace

Result<MappedFile> MappedFile::open(const std::string& path) {
  auto r = open_regular(path);
  if (!r) return tl::unexpected(r.error());
  Fd fd{r->first};
  MappedFile m;
  m.path_ = path;
  m.size_ = r->second;
  if (m.size_ == 0) return m;
  void* a = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (a == MAP_FAILED) return tl::unexpected(io_error(path, "cannot map", errno));
  m.addr_ = a;
  return m;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)), path_(std::move(o.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (addr_) ::munmap(addr_, size_);
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
    path_ = std::move(o.path_);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
}

Result<Bytes> read_file(const std::string& path, uint64_t max_size) {
  auto r = open_regular(path);
  if (!r) return tl::unexpected(r.error());
  Fd fd{r->first};
  if (r->second > max_size)
    return fail(ErrorCode::kLimit,
                fmt::format("file is {} bytes, more than the {} bytes accepted", r->second, max_size),
                Location{path});
  Bytes out(r->second);
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(io_error(path, "cannot read", errno));
    if (n == 0) break;  // file shrank while reading
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Status write_file_atomic(const std::string& path, ByteSpan data, unsigned mode) {
  return write_file_atomic(path, std::span<const ByteSpan>(&data, 1), mode);
}

Status write_file_atomic(const std::string& path, std::span<const ByteSpan> pieces, unsigned mode) {
  std::string tmpl = path + ".sipl-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return tl::unexpected(io_error(path, "cannot create temporary file", errno));
  auto cleanup = [&](int err, const char* what) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return tl::unexpected(io_error(path, what, err));
  };
  for (ByteSpan data : pieces) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return cleanup(errno, "cannot write");
      done += static_cast<size_t>(n);
    }
  }
  if (::fchmod(fd, mode) != 0) return cleanup(errno, "cannot set mode");
  if (::fsync(fd) != 0) return cleanup(errno, "cannot sync");
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    return tl::unexpected(io_error(path, "cannot close", e));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    return tl::unexpected(io_error(path, "cannot rename into place", e));
  }
  return {};
}

}  // namespace sipl
