// sipl mkdisk: write a zipl-compatible SCSI-scheme boot disk (raw or qcow2 image) on any host.
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/mkdisk_print.h"
#include "cli/verbs.h"
#include "sipl/fw/boot_record.h"
#include "sipl/image/boot_disk_writer.h"

namespace sipl::cli {
namespace {

struct Options {
  std::string output, stage3, kernel, initrd, secure = "auto", size, offset, format = "raw";
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

Result<int> run(const Options& o) {
  image::DiskRequest req;
  req.output = o.output;
  req.format = o.format == "qcow2" ? image::ImageFormat::kQcow2 : image::ImageFormat::kRaw;
  req.stage3 = o.stage3;
  auto mode = image::parse_secure_mode(o.secure);
  if (!mode) return tl::unexpected(mode.error());
  req.secure = *mode;
  req.block_size = o.block_size;
  if (!o.kernel.empty()) req.entries.push_back({"default", o.kernel, o.initrd, o.parmline});
  else if (!o.initrd.empty() || o.parmline)
    return fail(ErrorCode::kUsage, "--initrd and --parmline belong to --kernel; use --entry for named entries");
  for (const auto& t : o.entries) {
    auto e = parse_entry(t);
    if (!e) return tl::unexpected(e.error());
    req.entries.push_back({e->name, e->kernel, e->initrd, e->parmline});
  }
  if (!o.offset.empty()) {
    auto v = parse_size(o.offset, "--offset");
    if (!v) return tl::unexpected(v.error());
    req.offset = *v;
  }
  if (!o.size.empty()) {
    auto v = parse_size(o.size, "--size");
    if (!v) return tl::unexpected(v.error());
    req.size = *v;
  }
  req.force = o.force;
  req.dry_run = o.dry_run;
  // An earlier mkdisk's (or zipl's) layout on the disk is replaced, not refused as data.
  req.existing_layout = [](const image::DiskImage& d) { return fw::zipl_layout_blocks(d); };
  auto r = image::write_boot_disk(req);
  if (!r) return tl::unexpected(r.error());
  for (const auto& w : r->bootmap.warnings) fmt::print(stderr, "sipl: warning: {}\n", w);
  if (o.json) print_json(mkdisk_json(*r));
  else std::fputs(mkdisk_text(*r).c_str(), stdout);
  return 0;
}

void setup(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* app = parent.add_subcommand(
      "mkdisk", "Write a zipl-compatible SCSI-scheme boot disk (raw or qcow2 image), as zipl does on s390x");
  app->add_option("-o,--output", o->output, "Disk image to create, or (raw) to update when it exists")
      ->type_name("FILE")
      ->required();
  app->add_option("-f,--format", o->format, "Image format of a new image: raw or qcow2 (v3; qcow2 images are only created)")
      ->type_name("FORMAT")
      ->check(one_of({"raw", "qcow2"}))
      ->default_str("raw");
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
           "components of a zipl SCSI-scheme boot disk into a raw or qcow2 image, as zipl does on s390x, so that QEMU's "
           "s390-ccw BIOS can IPL from it (use `sipl inspect` to read it back and `sipl boot` to predict the "
           "IPL). The default entry comes from `--kernel`, `--initrd` and `--parmline`; `--entry` adds boot menu "
           "entries.",
           "An existing raw image is updated in place (through a copy that replaces it): the layout is refused "
           "over blocks that hold data or over a DOS partition unless `--force` is given; the blocks of a zipl "
           "layout already there (an earlier mkdisk, before a kernel update) are replaced without it. A missing "
           "image is created just big enough, or `--size` bytes. A block device (an LVM volume, a LUN) is written "
           "in place, and only with `--force`.",
           "`-f qcow2` writes a new qcow2 v3 image directly (no qemu-img needed), allocating only the clusters the "
           "layout uses; it reads back as the raw image of the same layout would. Updating an existing qcow2 "
           "image in place is not supported yet: mkdisk refuses it (exit 4).",
           "With `--secure auto` (the default), files that carry an appended signature (see `sipl sign`) get a "
           "SIGNATURE entry; `--secure 1` also fails, with zipl's message, when stage 3 or a kernel is unsigned; "
           "`--secure 0` writes no SIGNATURE entries. Every signed component (stage 3, kernel, initrd) is checked "
           "for the SCLAB the BIOS requires in Secure mode; each problem is a warning naming the "
           "`sipl sign --resign --sclab` call that fixes it."},
      .notes = {"Kernel, initrd and stage 3 are copied into the image (zipl --add-files style); their appended "
                "signatures (sign-file) become SIGNATURE entries and are cut off the loaded components.",
                "The components are copied from their files with copy_file_range (a reflink-capable file system "
                "shares their extents) or in pieces of at most 1 MiB, and the image is synced before it replaces "
                "the output: memory use does not grow with the disk."},
      .exit_status = {{0, "the image was written (or, with --dry-run, would be)"},
                      {2, "usage error: conflicting options, a layout over data or a partition, a size too small"},
                      {3, "an input file cannot be read or is wrong (--secure 1 with an unsigned stage 3 or kernel), "
                          "or the image cannot be written"},
                      {4, "the output is a directory or special file, a block device without --force, or an existing "
                          "image that would have to be updated as qcow2 (not supported yet)"}},
      .json = {{"disk", "the image file"},
               {"format", "raw or qcow2"},
               {"dry_run", "true when nothing was written"},
               {"updated_existing", "true when an existing image was updated"},
               {"size", "image size in bytes"},
               {"block_size", "512 or 4096"},
               {"secure", "auto, 1 or 0 (as --secure takes them)"},
               {"first_block", "first block of the layout"},
               {"end_block", "the block after the layout"},
               {"program_table_block", "where the boot record points"},
               {"entries[]", "one per boot entry: name, program_table_positions, component_table_block, "
                             "components[] (type: load, signature or exec; component: zipl's name, e.g. "
                             "kernel_image; psw, address, signature_length, data_length, loaded_length, extents[] "
                             "(block, count), segment_tables, source) and stage3_parameters"},
               {"findings[]", "zipl's warnings: severity, id, message, location, params"}},
      .examples = {{"sipl mkdisk -o disk.img --stage3 /lib/s390-tools/stage3.bin --kernel vmlinuz \\\n"
                    "    --initrd initrd.img --parmline 'console=ttysclp0 root=/dev/vda1' --secure 1",
                    "Write a secure boot disk from a signed stage 3 and kernel"},
                   {"sipl mkdisk -o disk.img --stage3 stage3.bin --kernel vmlinuz \\\n"
                    "    --entry 'rescue:kernel=vmlinuz,parmline=console=ttysclp0 single' --dry-run",
                    "Show the layout of a disk with a rescue menu entry, writing nothing"},
                   {"sipl mkdisk -f qcow2 -o guest.qcow2 --stage3 stage3.bin --kernel vmlinuz --initrd initrd.img",
                    "Write a new qcow2 boot disk"}},
      .see_also = {"zipl(8)", "qemu-img(1)"},
  });
  app->callback([o, &ctx] { run_verb(ctx, [o] { return run(*o); }); });
}

SIPL_REGISTER_VERB(60, setup);

}  // namespace
}  // namespace sipl::cli
