// sipl mkdisk: write a zipl-compatible SCSI-scheme boot disk (raw image) on any host.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/mkdisk_print.h"
#include "cli/verbs.h"
#include "sipl/base/file.h"
#include "sipl/fw/boot_record.h"
#include "sipl/image/bootmap_writer.h"
#include "sipl/image/raw_image.h"

namespace sipl::cli {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

struct Options {
  std::string output, stage3, kernel, initrd, secure = "auto", size, offset;
  std::optional<std::string> parmline;
  std::vector<std::string> entries;
  uint32_t block_size = 512;
  bool force = false, dry_run = false, json = false;
};

// Returns the byte count of "1048576", "64M", "64MiB", "1G" (binary units, like qemu-img).
Result<uint64_t> parse_size(const std::string& text, const char* option) {
  size_t pos = 0;
  uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return fail(ErrorCode::kUsage, fmt::format("{} {} is too large", option, text));
    v = v * 10 + static_cast<uint64_t>(text[pos++] - '0');
  }
  std::string unit = text.substr(pos);
  int shift = -1;
  if (pos == 0) shift = -1;
  else if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KiB") shift = 10;
  else if (unit == "M" || unit == "MiB") shift = 20;
  else if (unit == "G" || unit == "GiB") shift = 30;
  else if (unit == "T" || unit == "TiB") shift = 40;
  if (shift < 0)
    return fail(ErrorCode::kUsage, fmt::format("{} '{}' is not a size (bytes, or a number with K, M, G or T)", option, text));
  if (shift > 0 && v > (UINT64_MAX >> shift)) return fail(ErrorCode::kUsage, fmt::format("{} {} is too large", option, text));
  return v << shift;
}

// --entry NAME:kernel=FILE[,initrd=FILE][,parmline=TEXT]; parmline takes the rest of the text
// so a parmline may contain commas (console=ttyS0,115200).
struct EntryText {
  std::string name, kernel, initrd;
  std::optional<std::string> parmline;
};

Result<EntryText> parse_entry(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    return fail(ErrorCode::kUsage, fmt::format("--entry '{}': expected NAME:kernel=FILE[,initrd=FILE][,parmline=TEXT]", text));
  EntryText e;
  e.name = text.substr(0, colon);
  std::string rest = text.substr(colon + 1);
  while (!rest.empty()) {
    if (rest.rfind("parmline=", 0) == 0) {
      e.parmline = rest.substr(9);
      break;
    }
    auto comma = rest.find(',');
    std::string item = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    if (item.rfind("kernel=", 0) == 0) e.kernel = item.substr(7);
    else if (item.rfind("initrd=", 0) == 0) e.initrd = item.substr(7);
    else return fail(ErrorCode::kUsage, fmt::format("--entry '{}': unknown key in '{}' (kernel=, initrd=, parmline=)", text, item));
  }
  if (e.kernel.empty()) return fail(ErrorCode::kUsage, fmt::format("--entry '{}': kernel=FILE is required", text));
  return e;
}

// Keeps every input file mapped while the bootmap (which points into them) is alive.
struct Inputs {
  std::vector<std::unique_ptr<MappedFile>> files;
  Result<image::BootFile> map(const std::string& path) {
    auto m = MappedFile::open(path);
    if (!m) return tl::unexpected(m.error());
    files.push_back(std::make_unique<MappedFile>(std::move(*m)));
    return image::BootFile{path, files.back()->bytes()};
  }
};

Result<image::BootmapSpec> build_spec(const Options& o, Inputs& in) {
  image::BootmapSpec spec;
  auto mode = image::parse_secure_mode(o.secure);
  if (!mode) return tl::unexpected(mode.error());
  spec.secure = *mode;
  if (o.block_size != 512 && o.block_size != 4096)
    return fail(ErrorCode::kUsage, fmt::format("--block-size must be 512 or 4096, not {}", o.block_size));
  spec.block_size = o.block_size;
  auto stage3 = in.map(o.stage3);
  if (!stage3) return tl::unexpected(stage3.error());
  spec.stage3 = *stage3;

  std::vector<EntryText> texts;
  if (!o.kernel.empty()) texts.push_back({"default", o.kernel, o.initrd, o.parmline});
  else if (!o.initrd.empty() || o.parmline)
    return fail(ErrorCode::kUsage, "--initrd and --parmline belong to --kernel; use --entry for named entries");
  for (const auto& t : o.entries) {
    auto e = parse_entry(t);
    if (!e) return tl::unexpected(e.error());
    texts.push_back(std::move(*e));
  }
  if (texts.empty()) return fail(ErrorCode::kUsage, "give --kernel FILE or at least one --entry");
  for (auto& t : texts) {
    image::BootEntrySpec e;
    e.name = t.name;
    auto k = in.map(t.kernel);
    if (!k) return tl::unexpected(k.error());
    e.kernel = *k;
    if (!t.initrd.empty()) {
      auto r = in.map(t.initrd);
      if (!r) return tl::unexpected(r.error());
      e.initrd = *r;
    }
    e.parmline = t.parmline;
    spec.entries.push_back(std::move(e));
  }
  return spec;
}

// Refuses to put the layout over data or over a DOS partition of an existing image. Blocks of
// the zipl layout already on the disk (`own`, an earlier mkdisk or zipl run) are not data: the
// new layout replaces it, as zipl does after a kernel update.
Status check_target(const Options& o, ByteSpan disk, const image::Bootmap& bm,
                    const std::vector<fw::BlockRange>& own) {
  const uint64_t bs = bm.block_size, first = bm.first_block * bs, end = bm.end_block * bs;
  if (o.force) return {};
  for (const auto& p : image::dos_partitions(disk))
    if (first < p.offset + p.length && p.offset < end)
      return fail(ErrorCode::kUsage,
                  fmt::format("the layout (bytes {}..{}) overlaps DOS partition {} (bytes {}..{}); "
                              "choose another --offset or pass --force to overwrite it",
                              first, end - 1, p.number, p.offset, p.offset + p.length - 1),
                  Location(o.output));
  std::optional<uint64_t> used;
  for (uint64_t b = bm.first_block; b < bm.end_block && !used;) {
    auto in = std::find_if(own.begin(), own.end(), [&](const fw::BlockRange& r) { return r.first <= b && b < r.end; });
    if (in != own.end()) {
      b = in->end;
      continue;
    }
    uint64_t stop = bm.end_block;
    for (const auto& r : own)
      if (r.first > b) stop = std::min(stop, r.first);
    used = image::first_used_block(disk, bm.block_size, b, stop);
    b = stop;
  }
  if (used)
    return fail(ErrorCode::kUsage,
                fmt::format("holds data, and the layout needs blocks {}..{}; choose another --offset "
                            "or pass --force to overwrite it",
                            bm.first_block, bm.end_block - 1),
                Location::at_block(o.output, *used));
  return {};
}

Result<int> run(const Options& o) {
  Inputs in;
  auto spec = build_spec(o, in);
  if (!spec) return tl::unexpected(spec.error());

  // An existing image file is updated through a copy renamed into place; a missing one is
  // created; a block device (only with --force) is written in place.
  auto target = inspect_disk_target(o.output, o.force);
  if (!target) return tl::unexpected(target.error());
  const bool exists = target->exists;
  std::unique_ptr<MappedFile> disk;
  std::vector<fw::BlockRange> own;  // the zipl layout already there, replaced by the new one
  if (exists && target->size > 0) {
    auto m = MappedFile::open(o.output, FileKinds::kRegularOrBlockDevice);
    if (!m) return tl::unexpected(m.error());
    disk = std::make_unique<MappedFile>(std::move(*m));
    if (auto old = image::DiskImage::open(o.output, o.block_size)) own = fw::zipl_layout_blocks(*old);
    // A layout inside a file system (zipl's bootmap file, the kernel in /boot) is not replaced
    // or cleared: only one outside every partition, as mkdisk writes it.
    bool in_partition = false;
    for (const auto& p : image::dos_partitions(disk->bytes()))
      for (const auto& r : own)
        in_partition = in_partition || (r.first * o.block_size < p.offset + p.length && p.offset < r.end * o.block_size);
    if (in_partition) own.clear();
  }
  const uint64_t disk_size = target->size;

  uint64_t offset = o.block_size;
  if (!o.offset.empty()) {
    auto v = parse_size(o.offset, "--offset");
    if (!v) return tl::unexpected(v.error());
    if (*v == 0 || *v % o.block_size != 0)
      return fail(ErrorCode::kUsage, fmt::format("--offset {} must be a non-zero multiple of the block size {}",
                                                 o.offset, o.block_size));
    offset = *v;
  }
  spec->first_block = offset / o.block_size;
  auto bm = image::build_bootmap(*spec);
  if (!bm) return tl::unexpected(bm.error());
  const uint64_t needed = bm->end_block * bm->block_size;

  uint64_t size = exists ? disk_size : round_up(needed, kMiB);
  if (!o.size.empty()) {
    auto v = parse_size(o.size, "--size");
    if (!v) return tl::unexpected(v.error());
    if (*v % o.block_size != 0)
      return fail(ErrorCode::kUsage, fmt::format("--size {} must be a multiple of the block size {}", o.size, o.block_size));
    if (*v < disk_size)
      return fail(ErrorCode::kUsage, fmt::format("--size {} would shrink the image ({} bytes)", o.size, disk_size),
                  Location(o.output));
    if (target->block_device && *v != disk_size)
      return fail(ErrorCode::kUsage, fmt::format("--size {}: a block device keeps its size ({} bytes)", o.size, disk_size),
                  Location(o.output));
    size = *v;
  }
  if (needed > size)
    return fail(ErrorCode::kUsage,
                fmt::format("the layout needs {} bytes (up to block {}) but the image has {}; {}", needed,
                            bm->end_block - 1, size, exists ? "pass a larger --size to grow it" : "pass a larger --size"),
                Location(o.output));
  if (disk)
    if (auto c = check_target(o, disk->bytes(), *bm, own); !c) return tl::unexpected(c.error());

  for (const auto& w : bm->warnings) fmt::print(stderr, "sipl: warning: {}\n", w);
  MkdiskSummary sum{o.output, size, exists, o.dry_run, spec->secure};
  if (!o.dry_run) {
    disk.reset();  // unmap before the rename replaces the file
    // The old layout's blocks are cleared first, so none of it outlives the new one.
    std::vector<image::ImageWrite> writes;
    for (const auto& r : own)
      if (r.end * o.block_size <= size)
        writes.push_back({r.first * o.block_size, {}, (r.end - r.first) * o.block_size});
    for (auto& w : image::bootmap_image_writes(*bm)) writes.push_back(w);
    auto w = target->block_device ? image::write_block_device_image(o.output, writes)
                                  : image::write_image_atomic(o.output, exists ? o.output : "", size, writes);
    if (!w) return tl::unexpected(w.error());
  }
  if (o.json) print_json(mkdisk_json(sum, *bm));
  else std::fputs(mkdisk_text(sum, *bm).c_str(), stdout);
  return 0;
}

void setup(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* app = parent.add_subcommand(
      "mkdisk", "Write a zipl-compatible SCSI-scheme boot disk (raw image), as zipl does on s390x");
  app->add_option("-o,--output", o->output, "Raw disk image to create, or to update when it exists")
      ->type_name("FILE")
      ->required();
  app->add_option("--stage3", o->stage3, "zipl's stage 3 loader (stage3.bin from s390-tools)")
      ->type_name("FILE")
      ->required();
  app->add_option("--kernel", o->kernel, "Kernel image of the default entry (signed or not)")->type_name("FILE");
  app->add_option("--initrd", o->initrd, "Initial ramdisk of the default entry")->type_name("FILE");
  app->add_option("--parmline", o->parmline, "Kernel command line of the default entry")->type_name("TEXT");
  app->add_option("--entry", o->entries,
                  "More boot entries (menu): NAME:kernel=FILE[,initrd=FILE][,parmline=TEXT]; parmline= takes the rest")
      ->type_name("ENTRY");
  app->add_option("--secure", o->secure,
                  "auto: SIGNATURE entries for signed files; 1: also fail if stage 3 or a kernel is unsigned; 0: none")
      ->type_name("MODE")
      ->check(one_of(names_of(image::kSecureModes, image::secure_mode_name)))
      ->default_str("auto");
  app->add_option("--size", o->size, "Image size (e.g. 64M); default: just big enough, rounded up to 1 MiB")
      ->type_name("SIZE");
  app->add_option("--offset", o->offset, "Byte offset of the first block the layout may use (default: block 1)")
      ->type_name("SIZE");
  app->add_option("--block-size", o->block_size, "Disk block size: 512 or 4096")
      ->type_name("BYTES")
      ->check(one_of({"512", "4096"}))
      ->default_str("512");
  app->add_flag("--force", o->force,
                "Overwrite blocks that hold data or belong to a partition; allow writing a block device in place");
  app->add_flag("--dry-run", o->dry_run, "Print the layout and write nothing");
  app->add_flag("--json", o->json, "Print the layout as JSON");
  document(app, {
      .description =
          {"Writes the boot record, program table, component tables, stage 3 parameter block and boot "
           "components of a zipl SCSI-scheme boot disk into a raw image, as zipl does on s390x, so that QEMU's "
           "s390-ccw BIOS can IPL from it (use `sipl inspect` to read it back and `sipl boot` to predict the "
           "IPL). The default entry comes from `--kernel`, `--initrd` and `--parmline`; `--entry` adds boot menu "
           "entries.",
           "An existing image is updated in place (through a copy that replaces it): the layout is refused over "
           "blocks that hold data or over a DOS partition unless `--force` is given; the blocks of a zipl layout "
           "already there (an earlier mkdisk, before a kernel update) are replaced without it. A missing image is "
           "created just big enough, or `--size` bytes. A block device (an LVM volume, a LUN) is written in place, "
           "and only with `--force`.",
           "With `--secure auto` (the default), files that carry an appended signature (see `sipl sign`) get a "
           "SIGNATURE entry; `--secure 1` also fails, with zipl's message, when stage 3 or a kernel is unsigned; "
           "`--secure 0` writes no SIGNATURE entries. Every signed component (stage 3, kernel, initrd) is checked "
           "for the SCLAB the BIOS requires in Secure mode; each problem is a warning naming the "
           "`sipl sign --resign --sclab` call that fixes it."},
      .notes = {"Kernel, initrd and stage 3 are copied into the image (zipl --add-files style); their appended "
                "signatures (sign-file) become SIGNATURE entries and are cut off the loaded components."},
      .exit_status = {{0, "the image was written (or, with --dry-run, would be)"},
                      {2, "usage error: conflicting options, a layout over data or a partition, a size too small"},
                      {3, "an input file cannot be read or is wrong (--secure 1 with an unsigned stage 3 or kernel), "
                          "or the image cannot be written"},
                      {4, "the output is a directory or special file, or a block device without --force"}},
      .json = {{"disk", "the image file"},
               {"dry_run", "true when nothing was written"},
               {"updated_existing", "true when an existing image was updated"},
               {"size", "image size in bytes"},
               {"block_size", "512 or 4096"},
               {"secure", "auto, 1 or 0"},
               {"first_block", "first block of the layout"},
               {"end_block", "the block after the layout"},
               {"program_table_block", "where the boot record points"},
               {"entries[]", "one per boot entry: name, program_table_positions, component_table_block, "
                             "components[] (type, component, psw or load_address, signature_length, data_length, "
                             "loaded_length, extents, segment_tables, source) and stage3_parameters"},
               {"warnings", "strings"}},
      .examples = {{"sipl mkdisk -o disk.img --stage3 /lib/s390-tools/stage3.bin --kernel vmlinuz \\\n"
                    "    --initrd initrd.img --parmline 'console=ttysclp0 root=/dev/vda1' --secure 1",
                    "Write a secure boot disk from a signed stage 3 and kernel"},
                   {"sipl mkdisk -o disk.img --stage3 stage3.bin --kernel vmlinuz \\\n"
                    "    --entry 'rescue:kernel=vmlinuz,parmline=console=ttysclp0 single' --dry-run",
                    "Show the layout of a disk with a rescue menu entry, writing nothing"}},
      .see_also = {"zipl(8)", "qemu-img(1)"},
  });
  app->callback([o, &ctx] { run_verb(ctx, [o] { return run(*o); }); });
}

SIPL_REGISTER_VERB(60, setup);

}  // namespace
}  // namespace sipl::cli
