// qcow2 v3 writer. File layout, in clusters: header, refcount table, L1 table, refcount blocks, L2
// tables (in L1 order), then the data clusters in guest order, so a component's clusters lie
// consecutively in the file as on the disk and are copied with one copy_file_range. Every cluster
// in the file is referenced once (refcount 1, the "copied" flag set in L1 and L2), which is what
// makes `qemu-img check` report neither errors nor leaks.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "image/qcow2_layout.h"
#include "sipl/base/file.h"
#include "sipl/base/file_source.h"
#include "sipl/image/qcow2_image.h"

namespace sipl::image {
namespace {

using namespace qcow2;
namespace hd = qcow2::header;

constexpr uint32_t kRefcountOrder = 4;  // 16-bit refcounts, QEMU's default
constexpr uint64_t kRefcountBits = 1u << kRefcountOrder;

// Guest clusters [first, end).
struct Run {
  uint64_t first = 0, end = 0;
  uint64_t data_index = 0;  // index of `first` among all data clusters
};

uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Returns the guest clusters the writes' data touch, sorted and merged.
std::vector<Run> used_runs(const std::vector<ImageWrite>& writes, uint32_t bits) {
  std::vector<Run> runs;
  for (const auto& w : writes)
    if (w.data.length > 0) runs.push_back({w.offset >> bits, ((w.offset + w.data.length - 1) >> bits) + 1});
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.first < b.first; });
  std::vector<Run> merged;
  for (const auto& r : runs) {
    if (!merged.empty() && r.first <= merged.back().end)
      merged.back().end = std::max(merged.back().end, r.end);
    else
      merged.push_back(r);
  }
  uint64_t n = 0;
  for (auto& r : merged) {
    r.data_index = n;
    n += r.end - r.first;
  }
  return merged;
}

// Returns the L1 indices that need an L2 table, ascending.
std::vector<uint64_t> l2_indices(const std::vector<Run>& runs, uint64_t l2_entries) {
  std::vector<uint64_t> out;
  for (const auto& r : runs)
    for (uint64_t j = r.first / l2_entries; j <= (r.end - 1) / l2_entries; ++j)
      if (out.empty() || out.back() != j) out.push_back(j);
  return out;
}

Status check_writes(const std::string& path, uint64_t size, const std::vector<ImageWrite>& writes) {
  for (const auto& w : writes)
    if (w.length < w.data.length || w.offset > size || w.length > size - w.offset)
      return fail(ErrorCode::kInternal,
                  fmt::format("write of {} bytes at {} does not fit the {}-byte image", w.length, w.offset, size),
                  Location(path));
  return {};
}

// Writes the image's metadata and data into `fd`.
class Writer {
 public:
  Writer(int fd, const std::string& path, uint64_t size, const Qcow2Layout& l, std::vector<Run> runs,
         std::vector<uint64_t> l2s)
      : fd_(fd),
        path_(path),
        size_(size),
        l_(l),
        cs_(1ULL << l.cluster_bits),
        runs_(std::move(runs)),
        l2s_(std::move(l2s)),
        buf_(cs_) {}

  Status metadata() {
    if (auto s = header(); !s) return s;
    const uint64_t rb_first = l_.l1_table + l1_clusters();
    // Refcount table: one entry per refcount block.
    for (uint64_t c = 0; c < l_.refcount_table_clusters; ++c)
      if (auto s = table_cluster(l_.refcount_table + c, c * (cs_ / 8), l_.refcount_blocks,
                                 [&](uint64_t i) { return (rb_first + i) * cs_; });
          !s)
        return s;
    // L1: the entries with an L2 table point to it (in l2s_ order, after the refcount blocks).
    const uint64_t l2_first = rb_first + l_.refcount_blocks;
    size_t next = 0;
    for (uint64_t c = 0; c < l1_clusters(); ++c)
      if (auto s = table_cluster(l_.l1_table + c, c * (cs_ / 8), l_.l1_entries,
                                 [&](uint64_t j) -> uint64_t {
                                   while (next < l2s_.size() && l2s_[next] < j) ++next;
                                   if (next == l2s_.size() || l2s_[next] != j) return 0;
                                   return (l2_first + next) * cs_ | kCopied;
                                 });
          !s)
        return s;
    // Refcount blocks: 1 for every cluster of the file.
    const uint64_t per_block = cs_ * 8 / kRefcountBits;
    for (uint64_t b = 0; b < l_.refcount_blocks; ++b) {
      std::fill(buf_.begin(), buf_.end(), std::byte{0});
      for (uint64_t i = 0; i < per_block && b * per_block + i < l_.file_clusters; ++i)
        store_u16_be(buf_, static_cast<size_t>(2 * i), 1);
      if (auto s = write_at(fd_, (rb_first + b) * cs_, buf_, path_); !s) return s;
    }
    // L2 tables.
    const uint64_t l2_entries = cs_ / 8;
    const uint64_t data_first = l2_first + l2s_.size();
    size_t r = 0;
    for (size_t k = 0; k < l2s_.size(); ++k) {
      std::fill(buf_.begin(), buf_.end(), std::byte{0});
      const uint64_t lo = l2s_[k] * l2_entries, hi = lo + l2_entries;
      while (r < runs_.size() && runs_[r].end <= lo) ++r;
      for (size_t q = r; q < runs_.size() && runs_[q].first < hi; ++q)
        for (uint64_t g = std::max(lo, runs_[q].first); g < std::min(hi, runs_[q].end); ++g)
          store_u64_be(buf_, static_cast<size_t>(8 * (g - lo)),
                       (data_first + runs_[q].data_index + g - runs_[q].first) * cs_ | kCopied);
      if (auto s = write_at(fd_, (l2_first + k) * cs_, buf_, path_); !s) return s;
    }
    data_first_ = data_first;
    return {};
  }

  // Copies one write's data to its clusters: one contiguous range of the file.
  Status data(const ImageWrite& w) {
    if (w.data.length == 0) return {};
    const uint64_t g = w.offset >> l_.cluster_bits;
    auto it = std::upper_bound(runs_.begin(), runs_.end(), g, [](uint64_t v, const Run& x) { return v < x.first; });
    const Run& run = *std::prev(it);  // used_runs covers every write's clusters
    const uint64_t host = (data_first_ + run.data_index + g - run.first) * cs_ + (w.offset & (cs_ - 1));
    return write_range(fd_, host, w.data, path_);
  }

 private:
  uint64_t l1_clusters() const { return div_up(l_.l1_entries * 8, cs_); }

  Status header() {
    Bytes h(hd::kV3Length + 8);  // the fixed header, then the end-of-extensions marker
    store_u32_be(h, hd::kMagic, hd::kMagicValue);
    store_u32_be(h, hd::kVersion, 3);
    store_u32_be(h, hd::kClusterBits, l_.cluster_bits);
    store_u64_be(h, hd::kSize, size_);
    store_u32_be(h, hd::kL1Size, static_cast<uint32_t>(l_.l1_entries));
    store_u64_be(h, hd::kL1TableOffset, l_.l1_entries ? l_.l1_table * cs_ : 0);
    store_u64_be(h, hd::kRefcountTableOffset, l_.refcount_table * cs_);
    store_u32_be(h, hd::kRefcountTableClusters, static_cast<uint32_t>(l_.refcount_table_clusters));
    store_u32_be(h, hd::kRefcountOrder, kRefcountOrder);
    store_u32_be(h, hd::kHeaderLength, hd::kV3Length);
    return write_at(fd_, 0, h, path_);
  }

  // Writes table cluster `cluster` holding entries [first, first + cs/8) of a table of `count`
  // entries, entry i being value(i).
  template <typename F>
  Status table_cluster(uint64_t cluster, uint64_t first, uint64_t count, F value) {
    std::fill(buf_.begin(), buf_.end(), std::byte{0});
    for (uint64_t i = first; i < count && i < first + cs_ / 8; ++i)
      store_u64_be(buf_, static_cast<size_t>(8 * (i - first)), value(i));
    return write_at(fd_, cluster * cs_, buf_, path_);
  }

  int fd_;
  const std::string& path_;
  uint64_t size_;
  const Qcow2Layout& l_;
  uint64_t cs_;
  std::vector<Run> runs_;
  std::vector<uint64_t> l2s_;
  Bytes buf_;
  uint64_t data_first_ = 0;
};

}  // namespace

Result<Qcow2Layout> plan_qcow2(uint64_t size, const std::vector<ImageWrite>& writes, uint32_t cluster_bits) {
  if (cluster_bits < kMinClusterBits || cluster_bits > kMaxClusterBits)
    return fail(ErrorCode::kUsage, fmt::format("cluster_bits {} is outside 9..21", cluster_bits));
  if (auto s = check_writes("", size, writes); !s) return tl::unexpected(s.error());
  Qcow2Layout l;
  l.cluster_bits = cluster_bits;
  const uint64_t cs = 1ULL << cluster_bits, l2_entries = cs / 8;
  l.l1_entries = div_up(size, l2_entries * cs);
  if (l.l1_entries > kMaxL1Entries)
    return fail(ErrorCode::kUsage, fmt::format("a {}-byte image needs more L1 entries than QEMU accepts", size));
  const auto runs = used_runs(writes, cluster_bits);
  l.l2_tables = l2_indices(runs, l2_entries).size();
  for (const auto& r : runs) l.data_clusters += r.end - r.first;
  const uint64_t l1_clusters = div_up(l.l1_entries * 8, cs);
  const uint64_t per_block = cs * 8 / kRefcountBits;
  // The refcount blocks count themselves and the table that lists them: iterate to the fixed point
  // (it grows monotonically and settles in two or three rounds).
  uint64_t blocks = 1, table = 1;
  for (;;) {
    l.file_clusters = 1 + table + l1_clusters + blocks + l.l2_tables + l.data_clusters;
    const uint64_t b = div_up(l.file_clusters, per_block), t = div_up(b * 8, cs);
    if (b <= blocks && t <= table) break;
    blocks = std::max(blocks, b);
    table = std::max(table, t);
  }
  l.refcount_table = 1;
  l.refcount_table_clusters = table;
  l.l1_table = 1 + table;
  l.refcount_blocks = blocks;
  return l;
}

Status write_qcow2_atomic(const std::string& path, uint64_t size, const std::vector<ImageWrite>& writes,
                          uint32_t cluster_bits) {
  if (auto s = check_writes(path, size, writes); !s) return s;
  auto layout = plan_qcow2(size, writes, cluster_bits);
  if (!layout) return tl::unexpected(layout.error());
  mode_t mode = 0644;
  struct stat st_old {};
  if (::stat(path.c_str(), &st_old) == 0) mode = st_old.st_mode & 07777;
  auto file = AtomicFile::create(path);  // removed again on every early return
  if (!file) return tl::unexpected(file.error());
  const uint64_t bytes = layout->file_clusters << cluster_bits;
  if (::ftruncate(file->fd(), static_cast<off_t>(bytes)) != 0) return tl::unexpected(file->error("cannot size", errno));
  auto runs = used_runs(writes, cluster_bits);
  auto l2s = l2_indices(runs, (1ULL << cluster_bits) / 8);
  Writer w(file->fd(), path, size, *layout, std::move(runs), std::move(l2s));
  if (auto s = w.metadata(); !s) return s;
  for (const auto& wr : writes)
    if (auto s = w.data(wr); !s) return s;
  return file->commit(static_cast<unsigned>(mode));
}

}  // namespace sipl::image
