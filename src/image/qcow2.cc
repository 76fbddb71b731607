// qcow2 v2/v3 reader over a read-only mapping. Layout facts: QEMU docs/interop/qcow2.txt.
// Only what a boot-disk reader needs: the active L1/L2 tables, standard and zlib-compressed
// clusters, the v3 "reads as zero" flag and a backing chain. Everything that changes how
// bytes must be interpreted and that we do not implement (encryption, external data files,
// extended L2 entries, zstd, unknown incompatible bits) is refused up front, so a read never
// returns bytes that differ from what QEMU would show the guest.
#include "image/qcow2.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <zlib.h>

namespace sipl::image {
namespace {

// Header field offsets (qcow2.txt "Header").
constexpr size_t kOffVersion = 4, kOffBackingOffset = 8, kOffBackingSize = 16, kOffClusterBits = 20,
                 kOffSize = 24, kOffCryptMethod = 32, kOffL1Size = 36, kOffL1Offset = 40,
                 kOffIncompatible = 72, kOffRefcountOrder = 96, kOffHeaderLength = 100,
                 kOffCompressionType = 104;
constexpr size_t kV2HeaderLength = 72, kV3MinHeaderLength = 104;

constexpr uint64_t kIncompatDirty = 1u << 0, kIncompatCorrupt = 1u << 1, kIncompatDataFile = 1u << 2,
                   kIncompatCompression = 1u << 3, kIncompatExtendedL2 = 1u << 4;
constexpr uint64_t kKnownIncompat = kIncompatDirty | kIncompatCorrupt | kIncompatDataFile |
                                    kIncompatCompression | kIncompatExtendedL2;

constexpr uint32_t kExtEnd = 0, kExtBackingFormat = 0xe2792aca, kExtDataFile = 0x44415441;

constexpr uint64_t kL1OffsetMask = 0x00fffffffffffe00ULL;
constexpr uint64_t kL2OffsetMask = 0x00fffffffffffe00ULL;
constexpr uint64_t kL2Compressed = 1ULL << 62;
constexpr uint64_t kL2ZeroFlag = 1ULL;

constexpr uint32_t kMinClusterBits = 9, kMaxClusterBits = 21;  // QEMU's limits (512 B .. 2 MiB)
constexpr uint64_t kMaxL1Entries = 32 * 1024 * 1024 / 8;       // QEMU's 32 MiB L1 limit
constexpr uint32_t kMaxBackingNameLength = 1023;

class Qcow2Backend final : public ImageBackend {
 public:
  uint64_t size() const override { return size_; }
  Status read(uint64_t offset, MutableByteSpan out) const override;

  MappedFile file;
  std::optional<DiskImage> backing;
  uint32_t cluster_bits = 16;
  uint64_t cluster_size = 65536;
  uint64_t size_ = 0;
  uint32_t version = 3;
  uint64_t l1_offset = 0;
  uint64_t l1_entries = 0;

 private:
  Status read_cluster_part(uint64_t vcluster, uint64_t in_cluster, MutableByteSpan out) const;
  Status read_unallocated(uint64_t offset, MutableByteSpan out) const;
  Status read_compressed(uint64_t l2_entry, uint64_t entry_at, uint64_t in_cluster,
                         MutableByteSpan out) const;
  tl::unexpected<Error> bad(uint64_t at, std::string msg) const {
    return fail(ErrorCode::kBadInput, std::move(msg), Location::at_offset(file.path(), at));
  }

  // The last decompressed cluster: boot-record walks read the same cluster block by block.
  mutable uint64_t cached_entry_ = 0;
  mutable Bytes cached_;
};

Status Qcow2Backend::read(uint64_t offset, MutableByteSpan out) const {
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t pos = offset + done;
    const uint64_t in_cluster = pos & (cluster_size - 1);
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - done, cluster_size - in_cluster));
    if (auto s = read_cluster_part(pos >> cluster_bits, in_cluster, out.subspan(done, n)); !s) return s;
    done += n;
  }
  return {};
}

Status Qcow2Backend::read_unallocated(uint64_t offset, MutableByteSpan out) const {
  std::memset(out.data(), 0, out.size());
  if (!backing) return {};
  // A backing file shorter than this image reads as zeros past its end.
  const uint64_t bsize = backing->size();
  if (offset >= bsize) return {};
  const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), bsize - offset));
  return backing->read(offset, out.first(n));
}

Status Qcow2Backend::read_cluster_part(uint64_t vcluster, uint64_t in_cluster, MutableByteSpan out) const {
  const ByteSpan f = file.bytes();
  const uint64_t l2_entries = cluster_size / 8;
  const uint64_t l1_index = vcluster / l2_entries;
  const uint64_t vpos = (vcluster << cluster_bits) + in_cluster;
  if (l1_index >= l1_entries) return read_unallocated(vpos, out);
  const uint64_t l1_at = l1_offset + 8 * l1_index;  // checked at open: L1 lies inside the file
  const uint64_t l2_offset = load_u64_be(f, l1_at) & kL1OffsetMask;
  if (l2_offset == 0) return read_unallocated(vpos, out);
  if ((l2_offset & (cluster_size - 1)) != 0 || l2_offset > f.size() || f.size() - l2_offset < cluster_size)
    return bad(l1_at, fmt::format("L1 entry {} points to an L2 table at byte {}, which is not a whole "
                                  "cluster inside the {}-byte file",
                                  l1_index, l2_offset, f.size()));
  const uint64_t l2_at = l2_offset + 8 * (vcluster % l2_entries);
  const uint64_t l2e = load_u64_be(f, l2_at);
  if (l2e & kL2Compressed) return read_compressed(l2e, l2_at, in_cluster, out);
  if (version >= 3 && (l2e & kL2ZeroFlag)) {
    std::memset(out.data(), 0, out.size());
    return {};
  }
  const uint64_t host = l2e & kL2OffsetMask;
  if (host == 0) return read_unallocated(vpos, out);
  if ((host & (cluster_size - 1)) != 0 || host > f.size() || f.size() - host < cluster_size)
    return bad(l2_at, fmt::format("L2 entry for guest byte {} points to a data cluster at byte {}, which "
                                  "is not a whole cluster inside the {}-byte file",
                                  vpos - in_cluster, host, f.size()));
  std::memcpy(out.data(), f.data() + host + in_cluster, out.size());
  return {};
}

Status Qcow2Backend::read_compressed(uint64_t l2e, uint64_t entry_at, uint64_t in_cluster,
                                     MutableByteSpan out) const {
  const ByteSpan f = file.bytes();
  if (cached_.empty() || cached_entry_ != l2e) {
    // Descriptor: x = 62 - (cluster_bits - 8) offset bits, then (number of 512-byte sectors - 1).
    const unsigned x = 62 - (cluster_bits - 8);
    const uint64_t coff = l2e & ((1ULL << x) - 1);
    const uint64_t sectors = ((l2e & ~kL2Compressed & ((1ULL << 62) - 1)) >> x) + 1;
    const uint64_t csize = sectors * 512 - (coff & 511);
    if (coff >= f.size())
      return bad(entry_at, fmt::format("compressed cluster at byte {} starts past the end of the {}-byte file",
                                       coff, f.size()));
    // The last compressed cluster's sector count may run past the end of the file.
    const uint64_t avail = std::min<uint64_t>(csize, f.size() - coff);
    Bytes cluster(cluster_size);
    z_stream zs{};
    if (inflateInit2(&zs, -12) != Z_OK)
      return fail(ErrorCode::kInternal, "zlib inflateInit2 failed", Location{file.path()});
    zs.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(f.data() + coff));
    zs.avail_in = static_cast<uInt>(avail);
    zs.next_out = reinterpret_cast<Bytef*>(cluster.data());
    zs.avail_out = static_cast<uInt>(cluster.size());
    const int rc = inflate(&zs, Z_FINISH);
    const bool full = zs.avail_out == 0;
    inflateEnd(&zs);
    if (!full || (rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_OK))
      return bad(coff, fmt::format("compressed cluster (L2 entry at byte {}) does not inflate to {} bytes "
                                   "(zlib status {})",
                                   entry_at, cluster_size, rc));
    cached_ = std::move(cluster);
    cached_entry_ = l2e;
  }
  std::memcpy(out.data(), cached_.data() + in_cluster, out.size());
  return {};
}

// Returns the backing file's format from the header extensions ("" when not given).
struct Extensions {
  std::string backing_format;
  bool data_file = false;
};

Result<Extensions> read_extensions(const MappedFile& file, uint64_t start, uint64_t end) {
  const ByteSpan f = file.bytes();
  Extensions ext;
  uint64_t pos = start;
  while (pos + 8 <= end) {
    const uint32_t type = load_u32_be(f, pos);
    const uint32_t len = load_u32_be(f, pos + 4);
    if (type == kExtEnd) break;
    if (len > end - pos - 8)
      return fail(ErrorCode::kBadInput,
                  fmt::format("header extension 0x{:08x} of {} bytes runs past the end of the header "
                              "cluster",
                              type, len),
                  Location::at_offset(file.path(), pos));
    if (type == kExtBackingFormat) ext.backing_format = to_string(f.subspan(pos + 8, len));
    if (type == kExtDataFile) ext.data_file = true;
    pos += 8 + round_up(len, 8);
  }
  return ext;
}

Result<std::string> backing_path(const MappedFile& file, uint64_t off, uint32_t len) {
  const ByteSpan f = file.bytes();
  if (len > kMaxBackingNameLength)
    return fail(ErrorCode::kBadInput,
                fmt::format("backing_file_size {} is larger than the format's 1023-byte limit", len),
                Location::at_offset(file.path(), kOffBackingSize));
  if (len == 0 || off > f.size() || f.size() - off < len)
    return fail(ErrorCode::kBadInput,
                fmt::format("backing file name ({} bytes at byte {}) is not inside the {}-byte file", len, off,
                            f.size()),
                Location::at_offset(file.path(), kOffBackingOffset));
  std::string name = to_string(f.subspan(off, len));
  if (name.find('\0') != std::string::npos || name.find(':') != std::string::npos)
    return fail(ErrorCode::kBadInput,
                fmt::format("backing file name \"{}\" is not a plain file path (protocols such as "
                            "nbd: or json: are not supported)",
                            name.substr(0, name.find('\0'))),
                Location::at_offset(file.path(), off));
  std::filesystem::path p(name);
  if (p.is_relative()) p = std::filesystem::path(file.path()).parent_path() / p;
  return p.string();
}

}  // namespace

bool looks_like_qcow2(ByteSpan b) {
  return b.size() >= 4 && b[0] == std::byte{'Q'} && b[1] == std::byte{'F'} && b[2] == std::byte{'I'} &&
         b[3] == std::byte{0xfb};
}

Result<std::unique_ptr<ImageBackend>> open_qcow2(MappedFile file, unsigned depth) {
  const ByteSpan f = file.bytes();
  const std::string path = file.path();
  auto bad = [&path](uint64_t at, std::string msg) {
    return fail(ErrorCode::kBadInput, std::move(msg), Location::at_offset(path, at));
  };
  if (!looks_like_qcow2(f)) return bad(0, "not a qcow2 image (no \"QFI\\xfb\" magic)");
  if (f.size() < kV2HeaderLength)
    return bad(0, fmt::format("qcow2 header needs {} bytes, file has {}", kV2HeaderLength, f.size()));
  auto q = std::make_unique<Qcow2Backend>();
  q->version = load_u32_be(f, kOffVersion);
  if (q->version != 2 && q->version != 3)
    return bad(kOffVersion, fmt::format("qcow2 version {} is not 2 or 3", q->version));
  q->cluster_bits = load_u32_be(f, kOffClusterBits);
  if (q->cluster_bits < kMinClusterBits || q->cluster_bits > kMaxClusterBits)
    return bad(kOffClusterBits, fmt::format("cluster_bits {} is outside 9..21 (512 B to 2 MiB clusters)",
                                            q->cluster_bits));
  q->cluster_size = 1ULL << q->cluster_bits;
  q->size_ = load_u64_be(f, kOffSize);
  const uint32_t crypt = load_u32_be(f, kOffCryptMethod);
  if (crypt != 0)
    return bad(kOffCryptMethod, fmt::format("image is encrypted (crypt_method {}, {}); sipl reads only "
                                            "unencrypted images: decrypt it first with qemu-img convert",
                                            crypt, crypt == 1 ? "AES" : crypt == 2 ? "LUKS" : "unknown"));
  uint64_t header_length = kV2HeaderLength;
  if (q->version == 3) {
    if (f.size() < kV3MinHeaderLength)
      return bad(0, fmt::format("qcow2 v3 header needs {} bytes, file has {}", kV3MinHeaderLength, f.size()));
    const uint64_t incompat = load_u64_be(f, kOffIncompatible);
    if (incompat & ~kKnownIncompat)
      return bad(kOffIncompatible, fmt::format("unknown incompatible feature bits 0x{:x}; sipl cannot read "
                                               "this image correctly",
                                               incompat & ~kKnownIncompat));
    if (incompat & kIncompatCorrupt)
      return bad(kOffIncompatible, "image is marked corrupt (incompatible feature bit 1); repair it with "
                                   "qemu-img check -r all");
    if (incompat & kIncompatDataFile)
      return bad(kOffIncompatible, "image keeps its data in an external data file (incompatible feature "
                                   "bit 2), which sipl does not read");
    if (incompat & kIncompatExtendedL2)
      return bad(kOffIncompatible, "image uses extended L2 entries (incompatible feature bit 4, subclusters), "
                                   "which sipl does not read");
    header_length = load_u32_be(f, kOffHeaderLength);
    if (header_length < kV3MinHeaderLength || header_length > q->cluster_size || header_length > f.size() ||
        header_length % 8 != 0)
      return bad(kOffHeaderLength, fmt::format("header_length {} is not a multiple of 8 between 104 and the "
                                               "cluster size {}",
                                               header_length, q->cluster_size));
    const uint32_t refcount_order = load_u32_be(f, kOffRefcountOrder);
    if (refcount_order > 6)
      return bad(kOffRefcountOrder, fmt::format("refcount_order {} is larger than 6", refcount_order));
    const uint8_t compression = header_length > kOffCompressionType ? static_cast<uint8_t>(f[kOffCompressionType]) : 0;
    if (compression != 0)
      return bad(kOffCompressionType, fmt::format("compression type {} ({}) is not supported; only zlib is",
                                                  compression, compression == 1 ? "zstd" : "unknown"));
  }
  q->l1_entries = load_u32_be(f, kOffL1Size);
  q->l1_offset = load_u64_be(f, kOffL1Offset);
  const uint64_t l2_entries = q->cluster_size / 8;
  // Guest bytes one L1 entry covers; the L1 table must cover the whole virtual size.
  const uint64_t per_l1 = l2_entries * q->cluster_size;
  if (q->size_ > (1ULL << 62))
    return bad(kOffSize, fmt::format("virtual size {} is absurd", q->size_));
  const uint64_t needed_l1 = (q->size_ + per_l1 - 1) / per_l1;
  if (q->l1_entries > kMaxL1Entries || q->l1_entries < needed_l1)
    return bad(kOffL1Size, fmt::format("l1_size {} does not fit a {}-byte image ({} entries needed, at most "
                                       "{})",
                                       q->l1_entries, q->size_, needed_l1, kMaxL1Entries));
  if (q->l1_entries != 0 && ((q->l1_offset & (q->cluster_size - 1)) != 0 || q->l1_offset > f.size() ||
                             f.size() - q->l1_offset < 8 * q->l1_entries))
    return bad(kOffL1Offset, fmt::format("L1 table ({} entries at byte {}) is not cluster-aligned inside the "
                                         "{}-byte file",
                                         q->l1_entries, q->l1_offset, f.size()));
  auto ext = read_extensions(file, header_length, std::min<uint64_t>(q->cluster_size, f.size()));
  if (!ext) return tl::unexpected(ext.error());
  if (ext->data_file) return bad(header_length, "image names an external data file, which sipl does not read");
  const uint64_t backing_offset = load_u64_be(f, kOffBackingOffset);
  if (backing_offset != 0) {
    auto bpath = backing_path(file, backing_offset, load_u32_be(f, kOffBackingSize));
    if (!bpath) return tl::unexpected(bpath.error());
    if (depth + 1 > DiskImage::kMaxBackingDepth)
      return bad(kOffBackingOffset, fmt::format("backing chain is deeper than {} images (a loop?)",
                                                DiskImage::kMaxBackingDepth));
    const std::string& fmt_name = ext->backing_format;
    if (!fmt_name.empty() && fmt_name != "raw" && fmt_name != "qcow2")
      return bad(header_length, fmt::format("backing file format \"{}\" is not raw or qcow2", fmt_name));
    auto b = open_image_at_depth(*bpath, 512, depth + 1, fmt_name);
    if (!b)
      return fail(b.error().code, fmt::format("backing file: {}", b.error().to_string()),
                  Location::at_offset(path, backing_offset));
    q->backing.emplace(std::move(*b));
  }
  q->file = std::move(file);
  return std::unique_ptr<ImageBackend>(std::move(q));
}

}  // namespace sipl::image
