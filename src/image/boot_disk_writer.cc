#include "sipl/image/boot_disk_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "image/qcow2.h"
#include "sipl/base/file_source.h"
#include "sipl/image/qcow2_image.h"
#include "sipl/image/raw_image.h"

namespace sipl::image {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

// Opens `path` for reading on demand: nothing of it is read until the planner looks at its
// trailer and the writer copies it.
Result<BootFile> open_input(const std::string& path) {
  auto f = FileSource::open(path);
  if (!f) return tl::unexpected(f.error());
  return BootFile{path, whole(std::move(*f))};
}

Result<BootmapSpec> build_spec(const DiskRequest& r) {
  if (r.block_size != 512 && r.block_size != 4096)
    return fail(ErrorCode::kUsage, fmt::format("--block-size must be 512 or 4096, not {}", r.block_size));
  if (r.entries.empty()) return fail(ErrorCode::kUsage, "give --kernel FILE or at least one --entry");
  BootmapSpec spec;
  spec.secure = r.secure;
  spec.block_size = r.block_size;
  auto stage3 = open_input(r.stage3);
  if (!stage3) return tl::unexpected(stage3.error());
  spec.stage3 = *stage3;
  for (const auto& t : r.entries) {
    BootEntrySpec e;
    e.name = t.name;
    auto k = open_input(t.kernel);
    if (!k) return tl::unexpected(k.error());
    e.kernel = *k;
    if (!t.initrd.empty()) {
      auto i = open_input(t.initrd);
      if (!i) return tl::unexpected(i.error());
      e.initrd = *i;
    }
    e.parmline = t.parmline;
    spec.entries.push_back(std::move(e));
  }
  return spec;
}

// Refuses to put the layout over data or over a DOS partition of an existing image, reading
// its block 0 and the blocks the layout needs. Blocks of the zipl layout already on the disk
// (`own`, an earlier mkdisk or zipl run) are not data: the new layout replaces it, as zipl
// does after a kernel update.
Status check_target(const DiskRequest& r, const FileSource& disk, ByteSpan block0, const Bootmap& bm,
                    const std::vector<BlockRange>& own) {
  const uint64_t bs = bm.block_size, first = bm.first_block * bs, end = bm.end_block * bs;
  if (r.force) return {};
  for (const auto& p : dos_partitions(block0))
    if (first < p.offset + p.length && p.offset < end)
      return fail(ErrorCode::kUsage,
                  fmt::format("the layout (bytes {}..{}) overlaps DOS partition {} (bytes {}..{}); "
                              "choose another --offset or pass --force to overwrite it",
                              first, end - 1, p.number, p.offset, p.offset + p.length - 1),
                  Location(r.output));
  std::optional<uint64_t> used;
  for (uint64_t b = bm.first_block; b < bm.end_block && !used;) {
    auto in = std::find_if(own.begin(), own.end(), [&](const BlockRange& o) { return o.first <= b && b < o.end; });
    if (in != own.end()) {
      b = in->end;
      continue;
    }
    uint64_t stop = bm.end_block;
    for (const auto& o : own)
      if (o.first > b) stop = std::min(stop, o.first);
    auto u = first_used_block(disk, disk.size(), bm.block_size, b, stop);
    if (!u) return tl::unexpected(u.error());
    used = *u;
    b = stop;
  }
  if (used)
    return fail(ErrorCode::kUsage,
                fmt::format("holds data, and the layout needs blocks {}..{}; choose another --offset "
                            "or pass --force to overwrite it",
                            bm.first_block, bm.end_block - 1),
                Location::at_block(r.output, *used));
  return {};
}

// Opens an existing output to update it: raw images only, for now.
Result<std::shared_ptr<const FileSource>> open_existing(const DiskRequest& r, Bytes& block0) {
  if (r.format == ImageFormat::kQcow2)
    return fail(ErrorCode::kUnsupported,
                "exists; -f qcow2 writes new images only (updating a qcow2 image in place is not supported "
                "yet): remove it or choose another -o",
                Location(r.output));
  auto f = FileSource::open(r.output, FileKinds::kRegularOrBlockDevice);
  if (!f) return tl::unexpected(f.error());
  block0.resize(static_cast<size_t>(std::min<uint64_t>((*f)->size(), 512)));
  if (auto s = (*f)->read(0, block0); !s) return tl::unexpected(s.error());
  if (looks_like_qcow2(block0))
    return fail(ErrorCode::kUnsupported,
                "is a qcow2 image; sipl mkdisk updates raw images only (updating a qcow2 image in place is not "
                "supported yet): write a new image with -f qcow2, or convert this one with qemu-img convert -O raw",
                Location(r.output));
  return f;
}

}  // namespace

Result<DiskWriteResult> write_boot_disk(const DiskRequest& r) {
  DiskWriteResult out;
  out.disk = r.output;
  out.dry_run = r.dry_run;
  out.secure = r.secure;
  out.format = r.format;
  auto spec = build_spec(r);
  if (!spec) return tl::unexpected(spec.error());

  // An existing image file is updated through a copy renamed into place; a missing one is
  // created; a block device (only with force) is written in place.
  auto target = inspect_disk_target(r.output, r.force);
  if (!target) return tl::unexpected(target.error());
  const bool exists = target->exists;
  out.updated_existing = exists;
  std::shared_ptr<const FileSource> disk;
  Bytes block0;
  std::vector<BlockRange> own;  // the zipl layout already there, replaced by the new one
  if (exists) {
    auto f = open_existing(r, block0);
    if (!f) return tl::unexpected(f.error());
    disk = std::move(*f);
    if (r.existing_layout && disk->size() > 0)
      if (auto old = DiskImage::open(r.output, r.block_size)) own = r.existing_layout(*old);
    // A layout inside a file system (zipl's bootmap file, the kernel in /boot) is not replaced
    // or cleared: only one outside every partition, as mkdisk writes it.
    bool in_partition = false;
    for (const auto& p : dos_partitions(block0))
      for (const auto& o : own)
        in_partition = in_partition || (o.first * r.block_size < p.offset + p.length && p.offset < o.end * r.block_size);
    if (in_partition) own.clear();
  }
  const uint64_t disk_size = target->size;

  const uint64_t offset = r.offset.value_or(r.block_size);
  if (offset == 0 || offset % r.block_size != 0)
    return fail(ErrorCode::kUsage, fmt::format("--offset {} must be a non-zero multiple of the block size {}", offset,
                                               r.block_size));
  spec->first_block = offset / r.block_size;
  auto bm = build_bootmap(*spec);
  if (!bm) return tl::unexpected(bm.error());
  const uint64_t needed = bm->end_block * bm->block_size;

  out.size = exists ? disk_size : round_up(needed, kMiB);
  if (r.size) {
    if (*r.size % r.block_size != 0)
      return fail(ErrorCode::kUsage,
                  fmt::format("--size {} must be a multiple of the block size {}", *r.size, r.block_size));
    if (*r.size < disk_size)
      return fail(ErrorCode::kUsage, fmt::format("--size {} would shrink the image ({} bytes)", *r.size, disk_size),
                  Location(r.output));
    if (target->block_device && *r.size != disk_size)
      return fail(ErrorCode::kUsage,
                  fmt::format("--size {}: a block device keeps its size ({} bytes)", *r.size, disk_size),
                  Location(r.output));
    out.size = *r.size;
  }
  if (needed > out.size)
    return fail(ErrorCode::kUsage,
                fmt::format("the layout needs {} bytes (up to block {}) but the image has {}; {}", needed,
                            bm->end_block - 1, out.size,
                            exists ? "pass a larger --size to grow it" : "pass a larger --size"),
                Location(r.output));
  if (disk)
    if (auto c = check_target(r, *disk, block0, *bm, own); !c) return tl::unexpected(c.error());
  disk.reset();
  if (!r.dry_run) {
    // The old layout's blocks are cleared first, so none of it outlives the new one.
    std::vector<ImageWrite> writes;
    for (const auto& o : own)
      if (o.end * r.block_size <= out.size)
        writes.push_back({o.first * r.block_size, {}, (o.end - o.first) * r.block_size});
    for (auto& w : bootmap_image_writes(*bm)) writes.push_back(w);
    auto w = target->block_device         ? write_block_device_image(r.output, writes)
             : r.format == ImageFormat::kQcow2 ? write_qcow2_atomic(r.output, out.size, writes)
                                             : write_image_atomic(r.output, exists ? r.output : "", out.size, writes);
    if (!w) return tl::unexpected(w.error());
  }
  out.bootmap = std::move(*bm);
  return out;
}

}  // namespace sipl::image
