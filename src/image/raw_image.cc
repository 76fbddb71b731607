#include "sipl/image/raw_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sipl/base/file.h"

namespace sipl::image {
namespace {

Error io_error(const std::string& path, const char* what, int err) {
  return Error{ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(err)), Location(path)};
}

bool all_zero(const std::byte* p, size_t n) {
  return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
}

bool pwrite_all(int fd, const std::byte* p, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
    off += static_cast<uint64_t>(w);
  }
  return true;
}

// Copies the non-zero 64 KiB chunks of `base` (up to `size` bytes) into `fd`.
Status copy_sparse(int fd, const std::string& base, uint64_t size) {
  int in = ::open(base.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return tl::unexpected(io_error(base, "cannot open", errno));
  std::vector<std::byte> buf(64 * 1024);
  uint64_t off = 0;
  Status st;
  while (off < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
    ssize_t n = ::pread(in, buf.data(), want, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { st = tl::unexpected(io_error(base, "cannot read", errno)); break; }
    if (n == 0) break;
    if (!all_zero(buf.data(), static_cast<size_t>(n)) && !pwrite_all(fd, buf.data(), static_cast<size_t>(n), off)) {
      st = tl::unexpected(io_error(base, "cannot copy", errno));
      break;
    }
    off += static_cast<uint64_t>(n);
  }
  ::close(in);
  return st;
}

}  // namespace

std::optional<uint64_t> first_used_block(ByteSpan image, uint32_t block_size, uint64_t first_block,
                                         uint64_t end_block) {
  for (uint64_t b = first_block; b < end_block; ++b) {
    uint64_t off = b * block_size;
    if (off >= image.size()) break;
    size_t n = static_cast<size_t>(std::min<uint64_t>(block_size, image.size() - off));
    if (!all_zero(image.data() + off, n)) return b;
  }
  return std::nullopt;
}

std::vector<DosPartition> dos_partitions(ByteSpan image) {
  // Classic MBR layout: four 16-byte entries at 0x1BE, signature 55 AA at 0x1FE;
  // type at +4, first LBA at +8 and sector count at +12, both little-endian u32.
  std::vector<DosPartition> out;
  if (image.size() < 512 || image[510] != std::byte{0x55} || image[511] != std::byte{0xAA}) return out;
  auto le32 = [&](size_t off) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<uint32_t>(image[off + static_cast<size_t>(i)]);
    return v;
  };
  for (int i = 0; i < 4; ++i) {
    size_t e = 0x1BE + 16 * static_cast<size_t>(i);
    uint8_t type = std::to_integer<uint8_t>(image[e + 4]);
    uint32_t start = le32(e + 8), count = le32(e + 12);
    if (type == 0 || count == 0) continue;
    out.push_back({i + 1, type, uint64_t{start} * 512, uint64_t{count} * 512});
  }
  return out;
}

Status write_image_atomic(const std::string& path, const std::string& base, uint64_t size,
                          const std::vector<ImageWrite>& writes) {
  mode_t mode = 0644;
  struct stat st_old {};
  if (::stat(path.c_str(), &st_old) == 0) mode = st_old.st_mode & 07777;
  auto file = AtomicFile::create(path);  // removed again on every early return
  if (!file) return tl::unexpected(file.error());
  const int fd = file->fd();
  auto abort_with = [](Error e) { return tl::unexpected(std::move(e)); };
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return abort_with(io_error(path, "cannot size", errno));
  if (!base.empty())
    if (auto st = copy_sparse(fd, base, size); !st) return abort_with(st.error());
  static const std::vector<std::byte> zeros(64 * 1024);
  for (const auto& w : writes) {
    if (w.length < w.data.size() || w.offset + w.length > size)
      return abort_with(Error{ErrorCode::kInternal,
                              fmt::format("write of {} bytes at {} does not fit the {}-byte image", w.length, w.offset, size),
                              Location(path)});
    if (!pwrite_all(fd, w.data.data(), w.data.size(), w.offset))
      return abort_with(io_error(path, "cannot write", errno));
    for (uint64_t done = w.data.size(); done < w.length;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), w.length - done));
      if (!pwrite_all(fd, zeros.data(), n, w.offset + done)) return abort_with(io_error(path, "cannot write", errno));
      done += n;
    }
  }
  return file->commit(mode);
}

Status write_block_device_image(const std::string& path, const std::vector<ImageWrite>& writes) {
  std::vector<Bytes> owned;  // the zero padding, in pieces of at most 1 MiB
  std::vector<std::pair<uint64_t, ByteSpan>> pieces;
  for (const auto& w : writes) {
    if (w.length < w.data.size())
      return fail(ErrorCode::kInternal, "image write shorter than its data", Location(path));
    pieces.emplace_back(w.offset, w.data);
    for (uint64_t done = w.data.size(); done < w.length;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(1 << 20, w.length - done));
      owned.emplace_back(n);
      pieces.emplace_back(w.offset + done, owned.back());
      done += n;
    }
  }
  return write_block_device(path, pieces);
}

}  // namespace sipl::image
