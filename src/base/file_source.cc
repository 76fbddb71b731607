#include "sipl/base/file_source.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sipl {
namespace {

Error io_error(const std::string& path, uint64_t offset, const std::string& what, int err) {
  return Error{ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(err)), Location::at_offset(path, offset)};
}

Error shrank(const std::string& path, uint64_t offset) {
  return Error{ErrorCode::kIo, fmt::format("file ends before byte {} (it shrank while open)", offset),
               Location::at_offset(path, offset)};
}

// copy_file_range(2) of `length` bytes; returns the bytes copied before the kernel declined
// (errno in `declined`, 0 when all were copied) or an error.
Result<uint64_t> kernel_copy(const FileSource& from, uint64_t from_off, int fd, uint64_t to_off, uint64_t length,
                             const std::string& out_path, int& declined) {
  declined = 0;
  uint64_t done = 0;
  while (done < length) {
    loff_t in = static_cast<loff_t>(from_off + done), out = static_cast<loff_t>(to_off + done);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length - done, 1ULL << 30));
    const ssize_t n = ::copy_file_range(from.fd(), &in, fd, &out, want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
      declined = errno;
      return done;
    }
    if (n < 0) return tl::unexpected(io_error(out_path, to_off + done, "cannot copy into", errno));
    if (n == 0) return tl::unexpected(shrank(from.path(), from_off + done));
    done += static_cast<uint64_t>(n);
  }
  return done;
}

// Starts the write-back of `length` bytes of `fd` at `offset` without waiting for it. Only a
// hint, so errors (a pipe, a file system without it) are ignored: whoever needs the bytes
// durable still calls fsync. Measured on the 81 MiB disk of bench/disk_vs_copy.py, copy +
// fsync took 0.09 s with it against 0.14 s without (docs/PERFORMANCE.md, issue 15).
void start_writeback(int fd, uint64_t offset, uint64_t length) {
  if (length > 0)
    (void)::sync_file_range(fd, static_cast<off64_t>(offset), static_cast<off64_t>(length), SYNC_FILE_RANGE_WRITE);
}

}  // namespace

Result<std::shared_ptr<const FileSource>> FileSource::open(const std::string& path, FileKinds kinds) {
  auto o = open_readable(path, kinds);
  if (!o) return tl::unexpected(o.error());
  std::shared_ptr<FileSource> f(new FileSource(path, o->fd, o->size));  // owns the descriptor
  f->logical_block_size_ = o->logical_block_size;
  return std::shared_ptr<const FileSource>(std::move(f));
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSource::read(uint64_t offset, MutableByteSpan out) const {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail(
          ErrorCode::kIo,
          fmt::format("cannot read {} bytes at byte {}: {}", out.size() - done, offset + done, std::strerror(errno)),
          Location::at_offset(path_, offset + done));
    if (n == 0) return tl::unexpected(shrank(path_, offset + done));
    done += static_cast<size_t>(n);
  }
  return {};
}

SourceRange whole(std::shared_ptr<const FileSource> file) {
  const uint64_t n = file->size();
  return {std::move(file), 0, n};
}

Status write_at(int fd, uint64_t offset, ByteSpan bytes, const std::string& out_path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return tl::unexpected(io_error(out_path, offset + done, "cannot write", n < 0 ? errno : EIO));
    done += static_cast<size_t>(n);
  }
  return {};
}

Status write_range(int fd, uint64_t offset, const SourceRange& range, const std::string& out_path, CopyMethod method) {
  uint64_t done = 0;
  // copy_file_range only where source and destination pages line up: then a reflink-capable
  // file system can share the extents and others copy whole pages. Shifted by part of a page,
  // the kernel splices every page as two partial writes and the file is written back in small
  // pieces (docs/PERFORMANCE.md: the fsync of a 321 MiB disk took ~50 % longer); 1 MiB pwrites
  // do not.
  if (method == CopyMethod::kAuto && ((range.offset ^ offset) & (kPageAlignment - 1)) == 0)
    if (const auto* file = dynamic_cast<const FileSource*>(range.source.get())) {
      int declined = 0;
      auto n = kernel_copy(*file, range.offset, fd, offset, range.length, out_path, declined);
      if (!n) return tl::unexpected(n.error());
      done = *n;
    }
  uint64_t kicked = 0;  // bytes whose write-back has been started
  if (done == range.length) {
    start_writeback(fd, offset, done);
    return {};
  }
  Bytes buf(static_cast<size_t>(std::min<uint64_t>(range.length - done, kCopyPiece)));
  while (done < range.length) {
    const MutableByteSpan piece =
        MutableByteSpan(buf).first(static_cast<size_t>(std::min<uint64_t>(buf.size(), range.length - done)));
    if (auto s = range.source->read(range.offset + done, piece); !s) return s;
    if (auto s = write_at(fd, offset + done, piece, out_path); !s) return s;
    done += piece.size();
    if (done - kicked >= kWritebackPiece || done == range.length) {
      start_writeback(fd, offset + kicked, done - kicked);
      kicked = done;
    }
  }
  return {};
}

}  // namespace sipl
