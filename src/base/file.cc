#include "sipl/base/file.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
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

}  // namespace

// A FIFO would block in open(2), so O_NONBLOCK is used and the type checked with fstat on the
// descriptor (no race).
Result<ReadableFile> open_readable(const std::string& path, FileKinds kinds) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return tl::unexpected(io_error(path, "cannot open", errno));
  Fd guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return tl::unexpected(io_error(path, "cannot stat", errno));
  ReadableFile o;
  if (S_ISREG(st.st_mode)) {
    o.size = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode) && kinds == FileKinds::kRegularOrBlockDevice) {
    uint64_t bytes = 0;
    int ss = 0;
    if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0) return tl::unexpected(io_error(path, "cannot get the device size", errno));
    if (::ioctl(fd, BLKSSZGET, &ss) != 0 || ss <= 0)
      return tl::unexpected(io_error(path, "cannot get the device's logical block size", errno));
    o.size = bytes;
    o.logical_block_size = static_cast<uint32_t>(ss);
  } else {
    return fail(ErrorCode::kIo, S_ISBLK(st.st_mode) ? "a block device, not a regular file" : "not a regular file",
                Location{path});
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);  // reads block as usual
  o.fd = std::exchange(guard.fd, -1);
  return o;
}

Result<MappedFile> MappedFile::open(const std::string& path, FileKinds kinds) {
  auto r = open_readable(path, kinds);
  if (!r) return tl::unexpected(r.error());
  MappedFile m;  // owns the descriptor from here on
  m.fd_ = r->fd;
  m.path_ = path;
  m.size_ = r->size;
  m.logical_block_size_ = r->logical_block_size;
  if (m.size_ == 0) return m;
  void* a = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, m.fd_, 0);
  if (a == MAP_FAILED) return tl::unexpected(io_error(path, "cannot map", errno));
  m.addr_ = a;
  return m;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      fd_(std::exchange(o.fd_, -1)),
      logical_block_size_(std::exchange(o.logical_block_size_, 0)),
      path_(std::move(o.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (addr_) ::munmap(addr_, size_);
    if (fd_ >= 0) ::close(fd_);
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
    fd_ = std::exchange(o.fd_, -1);
    logical_block_size_ = std::exchange(o.logical_block_size_, 0);
    path_ = std::move(o.path_);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
  if (fd_ >= 0) ::close(fd_);
}

Status MappedFile::read_at(uint64_t offset, MutableByteSpan out) const {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return fail(ErrorCode::kIo,
                  n < 0 ? fmt::format("cannot read {} bytes at byte {}: {}", out.size() - done, offset + done,
                                      std::strerror(errno))
                        : fmt::format("file ends before byte {} (it shrank while open)", offset + done),
                  Location::at_offset(path_, offset + done));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<Bytes> read_file(const std::string& path, uint64_t max_size) {
  auto r = open_readable(path);
  if (!r) return tl::unexpected(r.error());
  Fd fd{r->fd};
  if (r->size > max_size)
    return fail(ErrorCode::kLimit,
                fmt::format("file is {} bytes, more than the {} bytes accepted", r->size, max_size),
                Location{path});
  Bytes out(r->size);
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

Result<Bytes> read_file_or_stdin(const std::string& path, uint64_t max_size) {
  if (path != "-") return read_file(path, max_size);
  const std::string name = "standard input";
  Bytes out;
  std::byte buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(io_error(name, "cannot read", errno));
    if (n == 0) break;
    if (static_cast<uint64_t>(n) > max_size - out.size())
      return fail(ErrorCode::kLimit, fmt::format("more than the {} bytes accepted", max_size), Location{name});
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

Status write_file_atomic(const std::string& path, ByteSpan data, unsigned mode) {
  return write_file_atomic(path, std::span<const ByteSpan>(&data, 1), mode);
}

Result<AtomicFile> AtomicFile::create(const std::string& path) {
  std::string tmp = path + ".sipl-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return tl::unexpected(io_error(path, "cannot create temporary file", errno));
  return AtomicFile(path, std::move(tmp), fd);
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), fd_(std::exchange(o.fd_, -1)) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

Error AtomicFile::error(const char* what, int err) const { return io_error(path_, what, err); }

Status AtomicFile::commit(unsigned mode) {
  if (::fchmod(fd_, mode) != 0) return tl::unexpected(error("cannot set mode", errno));
  if (::fsync(fd_) != 0) return tl::unexpected(error("cannot sync", errno));
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp_.c_str());
    return tl::unexpected(error("cannot close", e));
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp_.c_str());
    return tl::unexpected(error("cannot rename into place", e));
  }
  return {};
}

Status write_file_atomic(const std::string& path, std::span<const ByteSpan> pieces, unsigned mode) {
  auto file = AtomicFile::create(path);
  if (!file) return tl::unexpected(file.error());
  for (ByteSpan data : pieces) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(file->fd(), data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return tl::unexpected(file->error("cannot write", errno));
      done += static_cast<size_t>(n);
    }
  }
  return file->commit(mode);
}

Result<DiskTarget> inspect_disk_target(const std::string& path, bool allow_block_device) {
  DiskTarget t;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return t;
    return tl::unexpected(io_error(path, "cannot stat", errno));
  }
  t.exists = true;
  if (S_ISREG(st.st_mode)) {
    t.size = static_cast<uint64_t>(st.st_size);
    return t;
  }
  if (!S_ISBLK(st.st_mode))
    return fail(ErrorCode::kUnsupported, "only raw image files and block devices can be written, not directories "
                                         "or other special files", Location{path});
  if (!allow_block_device)
    return fail(ErrorCode::kUnsupported,
                "is a block device: it is written in place, not through a copy that is renamed into place, so "
                "pass --force to write it",
                Location{path});
  auto o = open_readable(path, FileKinds::kRegularOrBlockDevice);
  if (!o) return tl::unexpected(o.error());
  ::close(o->fd);
  t.block_device = true;
  t.size = o->size;
  t.logical_block_size = o->logical_block_size;
  return t;
}

Status write_block_device(const std::string& path, const std::function<Status(int fd, uint64_t size)>& write) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_EXCL);
  if (fd < 0) return tl::unexpected(io_error(path, "cannot open for writing", errno));
  Fd guard{fd};
  uint64_t size = 0;
  if (::ioctl(fd, BLKGETSIZE64, &size) != 0) return tl::unexpected(io_error(path, "cannot get the device size", errno));
  if (auto s = write(fd, size); !s) return s;
  if (::fsync(fd) != 0) return tl::unexpected(io_error(path, "cannot sync", errno));
  return {};
}

}  // namespace sipl
