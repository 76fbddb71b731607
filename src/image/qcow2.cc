// qcow2 v2/v3 reader through pread(2) into bounded buffers (no mapping of the file). Layout
// facts: QEMU docs/interop/qcow2.txt (qcow2_layout.h). Only what a boot-disk reader needs: the
// active L1/L2 tables, standard and zlib-compressed clusters, the v3 "reads as zero" flag and
// a backing chain. Everything that changes how bytes must be interpreted and that we do not
// implement (encryption, external data files, extended L2 entries, zstd, unknown incompatible
// bits) is refused up front, so a read never returns bytes that differ from what QEMU would
// show the guest. Every table entry is checked against the file before it is followed, and
// an error names the byte offset of the entry at fault.
#include "image/qcow2.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "image/qcow2_layout.h"
#include "sipl/base/reader.h"

namespace sipl::image {
namespace {

using namespace qcow2;
namespace hd = qcow2::header;

// Cluster-sized pieces of the L1 and L2 tables, read on demand and kept in a small
// least-recently-used cache: reading a component touches one L2 table for 8192 clusters.
class TableCache {
 public:
  TableCache(uint64_t piece, size_t capacity) : piece_(piece), capacity_(capacity) {}

  // Returns the u64 at host byte `at` of `file` (8-aligned, inside the file: the caller checked).
  // Safe across threads (a DiskImage with a read cache is read by several).
  Result<uint64_t> u64_at(const FileSource& file, uint64_t at) {
    std::lock_guard lock(mu_);
    const uint64_t base = at & ~(piece_ - 1);
    Piece* p = nullptr;
    for (auto& c : pieces_)
      if (c.offset == base && !c.bytes.empty()) p = &c;
    if (!p) {
      if (pieces_.size() < capacity_) pieces_.emplace_back();
      p = &*std::min_element(pieces_.begin(), pieces_.end(),
                             [](const Piece& a, const Piece& b) { return a.used < b.used; });
      p->bytes.resize(static_cast<size_t>(std::min<uint64_t>(piece_, file.size() - base)));
      p->offset = base;
      if (auto s = file.read(base, p->bytes); !s) {
        p->bytes.clear();
        return tl::unexpected(s.error());
      }
    }
    p->used = ++clock_;
    return Reader(p->bytes, file.path(), base, "the table").u64_be_at(static_cast<size_t>(at - base), "table entry");
  }

 private:
  struct Piece {
    uint64_t offset = 0;
    Bytes bytes;
    uint64_t used = 0;
  };
  uint64_t piece_;
  size_t capacity_;
  std::mutex mu_;
  std::vector<Piece> pieces_;
  uint64_t clock_ = 0;
};

// Where a guest cluster's bytes come from.
struct Mapping {
  enum Kind { kData, kZero, kUnallocated, kCompressed } kind = kUnallocated;
  uint64_t host = 0;      // kData: host offset of the cluster
  uint64_t entry = 0;     // kCompressed: the L2 entry
  uint64_t entry_at = 0;  // kCompressed: where the L2 entry lies
};

class Qcow2Backend final : public ImageBackend {
 public:
  Qcow2Backend(std::shared_ptr<const FileSource> f, uint32_t bits)
      : file(std::move(f)),
        file_size(file->size()),
        cluster_bits(bits),
        cluster_size(1ULL << bits),
        tables_(cluster_size, std::max<size_t>(2, kQcow2TableCacheBytes >> bits)) {}
  uint64_t size() const override { return size_; }
  Status read(uint64_t offset, MutableByteSpan out) const override;
  Status check(uint64_t offset, uint64_t length) const override;

  std::shared_ptr<const FileSource> file;
  uint64_t file_size = 0;
  std::optional<DiskImage> backing;
  uint32_t cluster_bits = 16;
  uint64_t cluster_size = 65536;
  uint64_t size_ = 0;
  uint32_t version = 3;
  uint64_t l1_offset = 0;
  uint64_t l1_entries = 0;

 private:
  Result<Mapping> map(uint64_t vcluster) const;
  Status read_unallocated(uint64_t offset, MutableByteSpan out) const;
  Status read_compressed(const Mapping& m, uint64_t in_cluster, MutableByteSpan out) const;
  tl::unexpected<Error> bad(uint64_t at, std::string msg) const {
    return fail(ErrorCode::kBadInput, std::move(msg), Location::at_offset(file->path(), at));
  }

  mutable TableCache tables_;
  // The last decompressed cluster: boot-record walks read the same cluster block by block.
  mutable std::mutex compressed_mu_;
  mutable uint64_t cached_entry_ = 0;
  mutable Bytes cached_;
};

Result<Mapping> Qcow2Backend::map(uint64_t vcluster) const {
  const uint64_t l2_entries = cluster_size / 8;
  const uint64_t l1_index = vcluster / l2_entries;
  if (l1_index >= l1_entries) return Mapping{};
  const uint64_t l1_at = l1_offset + 8 * l1_index;  // checked at open: L1 lies inside the file
  auto l1e = tables_.u64_at(*file, l1_at);
  if (!l1e) return tl::unexpected(l1e.error());
  const uint64_t l2_offset = *l1e & kL1OffsetMask;
  if (l2_offset == 0) return Mapping{};
  if ((l2_offset & (cluster_size - 1)) != 0 || l2_offset > file_size || file_size - l2_offset < cluster_size)
    return bad(l1_at, fmt::format("L1 entry {} points to an L2 table at byte {}, which is not a whole "
                                  "cluster inside the {}-byte file",
                                  l1_index, l2_offset, file_size));
  const uint64_t l2_at = l2_offset + 8 * (vcluster % l2_entries);
  auto l2e = tables_.u64_at(*file, l2_at);
  if (!l2e) return tl::unexpected(l2e.error());
  if (*l2e & kL2Compressed) return Mapping{Mapping::kCompressed, 0, *l2e, l2_at};
  if (version >= 3 && (*l2e & kL2ZeroFlag)) return Mapping{Mapping::kZero};
  const uint64_t host = *l2e & kL2OffsetMask;
  if (host == 0) return Mapping{};
  if ((host & (cluster_size - 1)) != 0 || host > file_size || file_size - host < cluster_size)
    return bad(l2_at, fmt::format("L2 entry for guest byte {} points to a data cluster at byte {}, which "
                                  "is not a whole cluster inside the {}-byte file",
                                  vcluster << cluster_bits, host, file_size));
  return Mapping{Mapping::kData, host};
}

Status Qcow2Backend::read(uint64_t offset, MutableByteSpan out) const {
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t pos = offset + done;
    const uint64_t vcluster = pos >> cluster_bits;
    const uint64_t in_cluster = pos & (cluster_size - 1);
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - done, cluster_size - in_cluster));
    auto m = map(vcluster);
    if (!m) return tl::unexpected(m.error());
    Status s;
    switch (m->kind) {
      case Mapping::kData:
        // One pread for the run of following clusters that lie consecutively in the file too
        // (qemu-img and sipl mkdisk write them so).
        for (uint64_t k = 1; done + n < out.size(); ++k) {
          auto next = map(vcluster + k);
          if (!next || next->kind != Mapping::kData || next->host != m->host + (k << cluster_bits)) break;
          n += static_cast<size_t>(std::min<uint64_t>(out.size() - done - n, cluster_size));
        }
        s = file->read(m->host + in_cluster, out.subspan(done, n));
        break;
      case Mapping::kZero:
        std::memset(out.data() + done, 0, n);
        break;
      case Mapping::kUnallocated:
        s = read_unallocated(pos, out.subspan(done, n));
        break;
      case Mapping::kCompressed:
        s = read_compressed(*m, in_cluster, out.subspan(done, n));
        break;
    }
    if (!s) return s;
    done += n;
  }
  return {};
}

Status Qcow2Backend::check(uint64_t offset, uint64_t length) const {
  uint64_t done = 0;
  while (done < length) {
    const uint64_t pos = offset + done;
    const uint64_t in_cluster = pos & (cluster_size - 1);
    const uint64_t n = std::min<uint64_t>(length - done, cluster_size - in_cluster);
    auto m = map(pos >> cluster_bits);
    if (!m) return tl::unexpected(m.error());
    if (m->kind == Mapping::kCompressed) {
      std::byte one{};
      if (auto s = read_compressed(*m, in_cluster, MutableByteSpan(&one, 1)); !s) return s;
    } else if (m->kind == Mapping::kUnallocated && backing && pos < backing->size()) {
      if (auto s = backing->check(pos, std::min<uint64_t>(n, backing->size() - pos)); !s) return s;
    }
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

Status Qcow2Backend::read_compressed(const Mapping& m, uint64_t in_cluster, MutableByteSpan out) const {
  std::lock_guard lock(compressed_mu_);
  if (cached_.empty() || cached_entry_ != m.entry) {
    // Descriptor: x = 62 - (cluster_bits - 8) offset bits, then (number of 512-byte sectors - 1).
    const unsigned x = 62 - (cluster_bits - 8);
    const uint64_t coff = m.entry & ((1ULL << x) - 1);
    const uint64_t sectors = ((m.entry & ~kL2Compressed & ((1ULL << 62) - 1)) >> x) + 1;
    const uint64_t csize = sectors * 512 - (coff & 511);
    if (coff >= file_size)
      return bad(m.entry_at,
                 fmt::format("compressed cluster at byte {} starts past the end of the {}-byte file", coff, file_size));
    // The last compressed cluster's sector count may run past the end of the file. At most
    // 2^(cluster_bits - 8) sectors: twice the cluster size.
    Bytes packed(static_cast<size_t>(std::min<uint64_t>(csize, file_size - coff)));
    if (auto s = file->read(coff, packed); !s) return s;
    Bytes cluster(cluster_size);
    z_stream zs{};
    if (inflateInit2(&zs, -12) != Z_OK)
      return fail(ErrorCode::kInternal, "zlib inflateInit2 failed", Location{file->path()});
    zs.next_in = reinterpret_cast<Bytef*>(packed.data());
    zs.avail_in = static_cast<uInt>(packed.size());
    zs.next_out = reinterpret_cast<Bytef*>(cluster.data());
    zs.avail_out = static_cast<uInt>(cluster.size());
    const int rc = inflate(&zs, Z_FINISH);
    const bool full = zs.avail_out == 0;
    inflateEnd(&zs);
    if (!full || (rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_OK))
      return bad(coff, fmt::format("compressed cluster (L2 entry at byte {}) does not inflate to {} bytes "
                                   "(zlib status {})",
                                   m.entry_at, cluster_size, rc));
    cached_ = std::move(cluster);
    cached_entry_ = m.entry;
  }
  std::memcpy(out.data(), cached_.data() + in_cluster, out.size());
  return {};
}

// Returns the backing file's format from the header extensions ("" when not given).
struct Extensions {
  std::string backing_format;
  bool data_file = false;
};

// `area` holds the file's bytes [start, start + area.size()): the rest of the header cluster.
Result<Extensions> read_extensions(const std::string& path, ByteSpan area, uint64_t start) {
  Extensions ext;
  Reader r(area, path, start, "the header cluster");
  while (r.remaining() >= 8) {
    const size_t pos = r.pos();
    auto head = r.fixed<8>("header extension");
    if (!head) return tl::unexpected(head.error());
    const uint32_t type = head->u32_be<0>();
    const uint32_t len = head->u32_be<4>();
    if (type == kExtEnd) break;
    auto data = r.bytes(len, "header extension data");
    if (!data)
      return tl::unexpected(r.error_at(pos, fmt::format("header extension 0x{:08x} of {} bytes runs past the end of "
                                                        "the header cluster",
                                                        type, len)));
    if (type == kExtBackingFormat) ext.backing_format = to_string(*data);
    if (type == kExtDataFile) ext.data_file = true;
    const size_t pad = static_cast<size_t>(round_up(len, 8) - len);
    if (pad > r.remaining()) break;
    if (auto s = r.skip(pad, "header extension padding"); !s) return tl::unexpected(s.error());
  }
  return ext;
}

Result<std::string> backing_path(const FileSource& file, uint64_t off, uint32_t len) {
  const uint64_t size = file.size();
  if (len > kMaxBackingNameLength)
    return fail(ErrorCode::kBadInput,
                fmt::format("backing_file_size {} is larger than the format's 1023-byte limit", len),
                Location::at_offset(file.path(), hd::kBackingFileSize));
  if (len == 0 || off > size || size - off < len)
    return fail(ErrorCode::kBadInput,
                fmt::format("backing file name ({} bytes at byte {}) is not inside the {}-byte file", len, off, size),
                Location::at_offset(file.path(), hd::kBackingFileOffset));
  Bytes raw(len);
  if (auto s = file.read(off, raw); !s) return tl::unexpected(s.error());
  std::string name = to_string(raw);
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

Result<std::unique_ptr<ImageBackend>> open_qcow2(std::shared_ptr<const FileSource> file, unsigned depth) {
  const uint64_t file_size = file->size();
  const std::string path = file->path();
  auto bad = [&path](uint64_t at, std::string msg) {
    return fail(ErrorCode::kBadInput, std::move(msg), Location::at_offset(path, at));
  };
  // The fixed header: at most 112 bytes are read here, the extensions below.
  Bytes fb(static_cast<size_t>(std::min<uint64_t>(file_size, hd::kV3Length)));
  if (auto s = file->read(0, fb); !s) return tl::unexpected(s.error());
  const Reader hr(fb, path, 0, "the qcow2 header");
  if (!looks_like_qcow2(fb)) return bad(0, "not a qcow2 image (no \"QFI\\xfb\" magic)");
  if (file_size < hd::kV2Length)
    return bad(0, fmt::format("qcow2 header needs {} bytes, file has {}", hd::kV2Length, file_size));
  auto fr = hr.fixed_at<hd::kV2Length>(0, "qcow2 header");
  if (!fr) return tl::unexpected(fr.error());
  const Fixed<hd::kV2Length>& f = *fr;
  const uint32_t version = f.u32_be<hd::kVersion>();
  if (version != 2 && version != 3) return bad(hd::kVersion, fmt::format("qcow2 version {} is not 2 or 3", version));
  const uint32_t cluster_bits = f.u32_be<hd::kClusterBits>();
  if (cluster_bits < kMinClusterBits || cluster_bits > kMaxClusterBits)
    return bad(hd::kClusterBits,
               fmt::format("cluster_bits {} is outside 9..21 (512 B to 2 MiB clusters)", cluster_bits));
  auto q = std::make_unique<Qcow2Backend>(file, cluster_bits);
  q->version = version;
  q->size_ = f.u64_be<hd::kSize>();
  const uint32_t crypt = f.u32_be<hd::kCryptMethod>();
  if (crypt != 0)
    return bad(hd::kCryptMethod, fmt::format("image is encrypted (crypt_method {}, {}); sipl reads only "
                                             "unencrypted images: decrypt it first with qemu-img convert",
                                             crypt,
                                             crypt == 1   ? "AES"
                                             : crypt == 2 ? "LUKS"
                                                          : "unknown"));
  uint64_t header_length = hd::kV2Length;
  if (q->version == 3) {
    if (file_size < hd::kV3MinLength)
      return bad(0, fmt::format("qcow2 v3 header needs {} bytes, file has {}", hd::kV3MinLength, file_size));
    auto f3r = hr.fixed_at<hd::kV3MinLength>(0, "qcow2 v3 header");
    if (!f3r) return tl::unexpected(f3r.error());
    const Fixed<hd::kV3MinLength>& f3 = *f3r;
    const uint64_t incompat = f3.u64_be<hd::kIncompatibleFeatures>();
    if (incompat & ~kKnownIncompat)
      return bad(hd::kIncompatibleFeatures, fmt::format("unknown incompatible feature bits 0x{:x}; sipl cannot read "
                                                        "this image correctly",
                                                        incompat & ~kKnownIncompat));
    if (incompat & kIncompatCorrupt)
      return bad(hd::kIncompatibleFeatures,
                 "image is marked corrupt (incompatible feature bit 1); repair it with "
                 "qemu-img check -r all");
    if (incompat & kIncompatDataFile)
      return bad(hd::kIncompatibleFeatures,
                 "image keeps its data in an external data file (incompatible feature "
                 "bit 2), which sipl does not read");
    if (incompat & kIncompatExtendedL2)
      return bad(hd::kIncompatibleFeatures,
                 "image uses extended L2 entries (incompatible feature bit 4, subclusters), "
                 "which sipl does not read");
    header_length = f3.u32_be<hd::kHeaderLength>();
    if (header_length < hd::kV3MinLength || header_length > q->cluster_size || header_length > file_size ||
        header_length % 8 != 0)
      return bad(hd::kHeaderLength, fmt::format("header_length {} is not a multiple of 8 between 104 and the "
                                                "cluster size {}",
                                                header_length, q->cluster_size));
    const uint32_t refcount_order = f3.u32_be<hd::kRefcountOrder>();
    if (refcount_order > 6)
      return bad(hd::kRefcountOrder, fmt::format("refcount_order {} is larger than 6", refcount_order));
    uint8_t compression = 0;
    if (header_length > hd::kCompressionType) {
      auto c = hr.u8_at(hd::kCompressionType, "compression type");
      if (!c) return tl::unexpected(c.error());
      compression = *c;
    }
    if (compression != 0)
      return bad(hd::kCompressionType, fmt::format("compression type {} ({}) is not supported; only zlib is",
                                                   compression, compression == 1 ? "zstd" : "unknown"));
  }
  q->l1_entries = f.u32_be<hd::kL1Size>();
  q->l1_offset = f.u64_be<hd::kL1TableOffset>();
  const uint64_t l2_entries = q->cluster_size / 8;
  // Guest bytes one L1 entry covers; the L1 table must cover the whole virtual size.
  const uint64_t per_l1 = l2_entries * q->cluster_size;
  if (q->size_ > (1ULL << 62)) return bad(hd::kSize, fmt::format("virtual size {} is absurd", q->size_));
  const uint64_t needed_l1 = (q->size_ + per_l1 - 1) / per_l1;
  if (q->l1_entries > kMaxL1Entries || q->l1_entries < needed_l1)
    return bad(hd::kL1Size, fmt::format("l1_size {} does not fit a {}-byte image ({} entries needed, at most "
                                        "{})",
                                        q->l1_entries, q->size_, needed_l1, kMaxL1Entries));
  if (q->l1_entries != 0 && ((q->l1_offset & (q->cluster_size - 1)) != 0 || q->l1_offset > file_size ||
                             file_size - q->l1_offset < 8 * q->l1_entries))
    return bad(hd::kL1TableOffset, fmt::format("L1 table ({} entries at byte {}) is not cluster-aligned inside the "
                                               "{}-byte file",
                                               q->l1_entries, q->l1_offset, file_size));
  // Header extensions: the rest of the header cluster.
  Bytes area(static_cast<size_t>(std::min<uint64_t>(q->cluster_size, file_size) - header_length));
  if (auto s = file->read(header_length, area); !s) return tl::unexpected(s.error());
  auto ext = read_extensions(path, area, header_length);
  if (!ext) return tl::unexpected(ext.error());
  if (ext->data_file) return bad(header_length, "image names an external data file, which sipl does not read");
  const uint64_t backing_offset = f.u64_be<hd::kBackingFileOffset>();
  if (backing_offset != 0) {
    auto bpath = backing_path(*file, backing_offset, f.u32_be<hd::kBackingFileSize>());
    if (!bpath) return tl::unexpected(bpath.error());
    if (depth + 1 > DiskImage::kMaxBackingDepth)
      return bad(hd::kBackingFileOffset,
                 fmt::format("backing chain is deeper than {} images (a loop?)", DiskImage::kMaxBackingDepth));
    const std::string& fmt_name = ext->backing_format;
    if (!fmt_name.empty() && fmt_name != "raw" && fmt_name != "qcow2")
      return bad(header_length, fmt::format("backing file format \"{}\" is not raw or qcow2", fmt_name));
    auto b = open_image_at_depth(*bpath, 512, depth + 1, fmt_name);
    if (!b)
      return fail(b.error().code, fmt::format("backing file: {}", b.error().to_string()),
                  Location::at_offset(path, backing_offset));
    q->backing.emplace(std::move(*b));
  }
  return std::unique_ptr<ImageBackend>(std::move(q));
}

}  // namespace sipl::image
