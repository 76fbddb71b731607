#include "sipl/image/boot_disk_writer.h"

#include <sys/stat.h>

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
// its block 0 and the blocks the layout needs.
Status check_target(const DiskRequest& r, const FileSource& disk, ByteSpan block0, const Bootmap& bm) {
  const uint64_t bs = bm.block_size, first = bm.first_block * bs, end = bm.end_block * bs;
  if (r.force) return {};
  for (const auto& p : dos_partitions(block0))
    if (first < p.offset + p.length && p.offset < end)
      return fail(ErrorCode::kUsage,
                  fmt::format("the layout (bytes {}..{}) overlaps DOS partition {} (bytes {}..{}); "
                              "choose another --offset or pass --force to overwrite it",
                              first, end - 1, p.number, p.offset, p.offset + p.length - 1),
                  Location(r.output));
  auto used = first_used_block(disk, disk.size(), bm.block_size, bm.first_block, bm.end_block);
  if (!used) return tl::unexpected(used.error());
  if (*used)
    return fail(ErrorCode::kUsage,
                fmt::format("holds data, and the layout needs blocks {}..{}; choose another --offset "
                            "or pass --force to overwrite it",
                            bm.first_block, bm.end_block - 1),
                Location::at_block(r.output, **used));
  return {};
}

// Opens an existing output to update it: raw images only, for now.
Result<std::shared_ptr<const FileSource>> open_existing(const DiskRequest& r, Bytes& block0) {
  if (r.format == ImageFormat::kQcow2)
    return fail(ErrorCode::kUnsupported,
                "exists; -f qcow2 writes new images only (updating a qcow2 image in place is not supported "
                "yet): remove it or choose another -o",
                Location(r.output));
  auto f = FileSource::open(r.output);
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

  // An existing output is updated in place (through a copy); a missing one is created.
  struct stat st {};
  const bool exists = ::stat(r.output.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode))
    return fail(ErrorCode::kUnsupported, "only image files can be written, not devices or directories",
                Location(r.output));
  out.updated_existing = exists;
  std::shared_ptr<const FileSource> disk;
  Bytes block0;
  if (exists) {
    auto f = open_existing(r, block0);
    if (!f) return tl::unexpected(f.error());
    disk = std::move(*f);
  }
  const uint64_t disk_size = disk ? disk->size() : 0;

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
    out.size = *r.size;
  }
  if (needed > out.size)
    return fail(ErrorCode::kUsage,
                fmt::format("the layout needs {} bytes (up to block {}) but the image has {}; {}", needed,
                            bm->end_block - 1, out.size,
                            exists ? "pass a larger --size to grow it" : "pass a larger --size"),
                Location(r.output));
  if (disk)
    if (auto c = check_target(r, *disk, block0, *bm); !c) return tl::unexpected(c.error());
  disk.reset();
  if (!r.dry_run) {
    const auto writes = bootmap_image_writes(*bm);
    auto w = r.format == ImageFormat::kQcow2 ? write_qcow2_atomic(r.output, out.size, writes)
                                             : write_image_atomic(r.output, exists ? r.output : "", out.size, writes);
    if (!w) return tl::unexpected(w.error());
  }
  out.bootmap = std::move(*bm);
  return out;
}

}  // namespace sipl::image
