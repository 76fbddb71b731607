#include "sipl/image/boot_disk_writer.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "sipl/image/raw_image.h"

namespace sipl::image {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

// Maps `path` and keeps it mapped as long as the result that points into it.
Result<BootFile> map_input(const std::string& path, DiskWriteResult& out) {
  auto m = MappedFile::open(path);
  if (!m) return tl::unexpected(m.error());
  out.inputs.push_back(std::make_shared<const MappedFile>(std::move(*m)));
  return BootFile{path, out.inputs.back()->bytes()};
}

Result<BootmapSpec> build_spec(const DiskRequest& r, DiskWriteResult& out) {
  if (r.block_size != 512 && r.block_size != 4096)
    return fail(ErrorCode::kUsage, fmt::format("--block-size must be 512 or 4096, not {}", r.block_size));
  if (r.entries.empty()) return fail(ErrorCode::kUsage, "give --kernel FILE or at least one --entry");
  BootmapSpec spec;
  spec.secure = r.secure;
  spec.block_size = r.block_size;
  auto stage3 = map_input(r.stage3, out);
  if (!stage3) return tl::unexpected(stage3.error());
  spec.stage3 = *stage3;
  for (const auto& t : r.entries) {
    BootEntrySpec e;
    e.name = t.name;
    auto k = map_input(t.kernel, out);
    if (!k) return tl::unexpected(k.error());
    e.kernel = *k;
    if (!t.initrd.empty()) {
      auto i = map_input(t.initrd, out);
      if (!i) return tl::unexpected(i.error());
      e.initrd = *i;
    }
    e.parmline = t.parmline;
    spec.entries.push_back(std::move(e));
  }
  return spec;
}

// Refuses to put the layout over data or over a DOS partition of an existing image.
Status check_target(const DiskRequest& r, ByteSpan disk, const Bootmap& bm) {
  const uint64_t bs = bm.block_size, first = bm.first_block * bs, end = bm.end_block * bs;
  if (r.force) return {};
  for (const auto& p : dos_partitions(disk))
    if (first < p.offset + p.length && p.offset < end)
      return fail(ErrorCode::kUsage,
                  fmt::format("the layout (bytes {}..{}) overlaps DOS partition {} (bytes {}..{}); "
                              "choose another --offset or pass --force to overwrite it",
                              first, end - 1, p.number, p.offset, p.offset + p.length - 1),
                  Location(r.output));
  if (auto used = first_used_block(disk, bm.block_size, bm.first_block, bm.end_block))
    return fail(ErrorCode::kUsage,
                fmt::format("holds data, and the layout needs blocks {}..{}; choose another --offset "
                            "or pass --force to overwrite it",
                            bm.first_block, bm.end_block - 1),
                Location::at_block(r.output, *used));
  return {};
}

}  // namespace

Result<DiskWriteResult> write_boot_disk(const DiskRequest& r) {
  DiskWriteResult out;
  out.disk = r.output;
  out.dry_run = r.dry_run;
  out.secure = r.secure;
  auto spec = build_spec(r, out);
  if (!spec) return tl::unexpected(spec.error());

  // An existing output is updated in place (through a copy); a missing one is created.
  struct stat st {};
  const bool exists = ::stat(r.output.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode))
    return fail(ErrorCode::kUnsupported, "only raw image files can be written, not devices or directories",
                Location(r.output));
  out.updated_existing = exists;
  std::optional<MappedFile> disk;
  if (exists && st.st_size > 0) {
    auto m = MappedFile::open(r.output);
    if (!m) return tl::unexpected(m.error());
    disk = std::move(*m);
  }
  const uint64_t disk_size = exists ? static_cast<uint64_t>(st.st_size) : 0;

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
    if (auto c = check_target(r, disk->bytes(), *bm); !c) return tl::unexpected(c.error());
  if (!r.dry_run) {
    disk.reset();  // unmap before the rename replaces the file
    if (auto w = write_image_atomic(r.output, exists ? r.output : "", out.size, bootmap_image_writes(*bm)); !w)
      return tl::unexpected(w.error());
  }
  out.bootmap = std::move(*bm);
  return out;
}

}  // namespace sipl::image
