#include "sipl/image/raw_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/base/file_source.h"

namespace sipl::image {
namespace {

Error io_error(const std::string& path, const char* what, int err) {
  return Error{ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(err)), Location(path)};
}

bool all_zero(const std::byte* p, size_t n) {
  return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
}

// Copies the data extents of `base` below `size` into `fd` at the same offsets; holes (and
// the file's end) are skipped, so they stay holes in the copy.
Status copy_data_extents(int fd, const std::string& path, const std::string& base, uint64_t size) {
  auto in = FileSource::open(base);
  if (!in) return tl::unexpected(in.error());
  const uint64_t end = std::min(size, (*in)->size());
  uint64_t pos = 0;
  while (pos < end) {
    off_t data = ::lseek((*in)->fd(), static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole remains
    // A filesystem without SEEK_DATA: one extent to the end.
    off_t hole = data < 0 ? static_cast<off_t>(end) : ::lseek((*in)->fd(), data, SEEK_HOLE);
    if (data < 0) data = static_cast<off_t>(pos);
    if (hole < 0) hole = static_cast<off_t>(end);
    const uint64_t from = static_cast<uint64_t>(data), to = std::min<uint64_t>(static_cast<uint64_t>(hole), end);
    if (from >= end) break;
    if (auto s = write_range(fd, from, {*in, from, to - from}, path); !s) return s;
    pos = to;
  }
  return {};
}

}  // namespace

Result<std::optional<uint64_t>> first_used_block(const ByteSource& image, uint64_t image_size, uint32_t block_size,
                                                 uint64_t first_block, uint64_t end_block) {
  const uint64_t blocks_per_piece = std::max<uint64_t>(1, (1 << 20) / block_size);
  Bytes buf;
  for (uint64_t b = first_block; b < end_block; b += blocks_per_piece) {
    const uint64_t off = b * block_size;
    if (off >= image_size) break;
    const uint64_t want = std::min<uint64_t>((end_block - b) * block_size, blocks_per_piece * block_size);
    buf.resize(static_cast<size_t>(std::min<uint64_t>(want, image_size - off)));
    if (auto s = image.read(off, buf); !s) return tl::unexpected(s.error());
    for (size_t at = 0; at < buf.size(); at += block_size)
      if (!all_zero(buf.data() + at, std::min<size_t>(block_size, buf.size() - at))) return b + at / block_size;
  }
  return std::optional<uint64_t>{};
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
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return tl::unexpected(io_error(path, "cannot size", errno));
  if (!base.empty())
    if (auto st = copy_data_extents(fd, path, base, size); !st) return st;
  static const Bytes zeros(64 * 1024);
  for (const auto& w : writes) {
    if (w.length < w.data.length || w.offset > size || w.length > size - w.offset)
      return fail(ErrorCode::kInternal,
                  fmt::format("write of {} bytes at {} does not fit the {}-byte image", w.length, w.offset, size),
                  Location(path));
    if (auto s = write_range(fd, w.offset, w.data, path); !s) return s;
    // A new image is all zeros already (ftruncate); a copied one may hold old bytes there.
    for (uint64_t done = w.data.length; !base.empty() && done < w.length;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), w.length - done));
      if (auto s = write_at(fd, w.offset + done, ByteSpan(zeros).first(n), path); !s) return s;
      done += n;
    }
  }
  return file->commit(static_cast<unsigned>(mode));
}

Status write_block_device_image(const std::string& path, const std::vector<ImageWrite>& writes) {
  return write_block_device(path, [&](int fd, uint64_t size) -> Status {
    for (const auto& w : writes)
      if (w.length < w.data.length || w.offset > size || w.length > size - w.offset)
        return fail(ErrorCode::kUsage,
                    fmt::format("a write of {} bytes at byte {} runs past the end of the {}-byte device", w.length,
                                w.offset, size),
                    Location(path));
    static const Bytes zeros(64 * 1024);
    for (const auto& w : writes) {
      if (auto s = write_range(fd, w.offset, w.data, path); !s) return s;
      // The device holds old bytes where the layout pads with zeros.
      for (uint64_t done = w.data.length; done < w.length;) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), w.length - done));
        if (auto s = write_at(fd, w.offset + done, ByteSpan(zeros).first(n), path); !s) return s;
        done += n;
      }
    }
    return {};
  });
}

}  // namespace sipl::image
