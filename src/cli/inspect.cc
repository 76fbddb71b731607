// sipl inspect: the boot chain of a zipl SCSI-scheme disk as the s390-ccw BIOS walks it.
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/fw/disk_inspection.h"
#include "sipl/image/zipl_layout.h"

namespace sipl::cli {
namespace {

using json = Json;

struct InspectOptions {
  std::string disk;
  bool json = false;
  std::optional<unsigned> loadparm;
  unsigned block_size = 0;  // 0 = from the boot record's program table pointer
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

json signature_json(const fw::InspectedComponent& c, std::string* text) {
  json j;
  j["format"] = c.entry.signature->format;
  j["length"] = c.entry.signature->length;
  json signers = json::array();
  if (c.signers) {
    for (const auto& s : c.signers->signers) {
      const bool key_id = !s.subject_key_id_hex.empty();
      signers.push_back({{"signer_id", key_id ? "subject_key_identifier" : "issuer_and_serial"},
                         {"issuer", nonempty_or_null(s.issuer)},
                         {"serial", nonempty_or_null(s.serial_hex)},
                         {"subject_key_id", nonempty_or_null(s.subject_key_id_hex)},
                         {"digest", nonempty_or_null(lower(s.digest))}});
      if (!text->empty()) *text += "; ";
      if (key_id)
        *text += fmt::format("key id {}", s.subject_key_id_hex);
      else
        *text += fmt::format("issuer {}, serial {}", s.issuer, s.serial_hex);
      if (!s.digest.empty()) *text += fmt::format(" ({})", s.digest);
    }
  } else {
    *text = fmt::format("unreadable: {}", c.signers_error);
  }
  j["signers"] = signers;
  j["error"] = c.signers ? json(nullptr) : json(c.signers_error);
  return j;
}

std::string extents_text(const std::vector<fw::BlockPointer>& extents) {
  std::string s;
  constexpr size_t kShown = 6;
  for (size_t i = 0; i < extents.size() && i < kShown; ++i)
    s += fmt::format("{}{}+{}", i ? ", " : "", extents[i].blockno, extents[i].blocks());
  if (extents.size() > kShown) s += fmt::format(", ... ({} extents)", extents.size());
  return s.empty() ? "none" : s;
}

const char* header_type_name(uint8_t t) {
  return t == zipl::component_header::kTypeIpl    ? "ipl"
         : t == zipl::component_header::kTypeDump ? "dump"
                                                  : "unknown";
}

json program_json(const fw::InspectedProgram& p, std::string& text) {
  json j;
  j["index"] = p.index;
  j["component_table_block"] = p.component_table;
  j["header_type"] = header_type_name(p.header_type);
  j["loaded_bytes"] = p.loaded_bytes;
  text += fmt::format("program {}: component table at block {} ({}), {} bytes loaded\n", p.index, p.component_table,
                      header_type_name(p.header_type), p.loaded_bytes);
  json comps = json::array();
  for (const fw::InspectedComponent& ic : p.components) {
    const fw::Component& c = ic.entry;
    json cj;
    cj["index"] = c.index;
    cj["type"] = fw::component_type_name(c.type);
    const bool exec = c.type == fw::ComponentType::kExec;
    // EXEC: where the PSW starts the program (its 31-bit address part); LOAD: the load address.
    cj["address"] = exec ? json(address(c.address & 0x7fffffffULL))
                         : c.type == fw::ComponentType::kLoad ? json(address(c.address)) : json(nullptr);
    cj["psw"] = exec ? json(address(c.address)) : json(nullptr);
    cj["length"] = exec ? 0 : c.length;
    cj["segment_table_blocks"] = c.segment_table_blocks;
    json ext = json::array();
    for (const auto& e : c.extents) ext.push_back({{"block", e.blockno}, {"count", e.blocks()}});
    cj["extents"] = ext;
    std::string line = fmt::format("  [{}] {:<9}", c.index, fw::component_type_name(c.type));
    std::string who;
    cj["signature"] = c.type == fw::ComponentType::kSignature ? signature_json(ic, &who) : json(nullptr);
    cj["signed_by"] = ic.signed_by ? json(*ic.signed_by) : json(nullptr);
    cj["sclab"] = ic.sclab ? json(*ic.sclab) : json(nullptr);
    if (exec) {
      line += fmt::format(" psw {:016x}", c.address);
    } else {
      if (c.type == fw::ComponentType::kSignature) {
        line += fmt::format(" format {}, sig_len {}, {} bytes loaded; signer: {}", c.signature->format,
                            c.signature->length, c.length, who);
      } else {
        line += fmt::format(" address 0x{:08x}, {} bytes", c.address, c.length);
        if (ic.signed_by) {
          line += fmt::format(", signed (entry {})", *ic.signed_by);
          line += *ic.sclab ? ", SCLAB found" : ", no SCLAB";
        }
      }
      line += fmt::format("\n      extents: {}", extents_text(c.extents));
    }
    text += line + "\n";
    comps.push_back(std::move(cj));
  }
  j["components"] = std::move(comps);
  return j;
}

Result<int> run_inspect(const InspectOptions& o) {
  auto r = fw::inspect_disk({o.disk, o.block_size, o.loadparm});
  if (!r) return tl::unexpected(r.error());
  const auto& map = r->boot_map;
  for (const auto& w : map.warnings) fmt::print(stderr, "sipl: warning: {}\n", w);
  auto doc = json_document();
  doc["disk"] = o.disk;
  doc["format"] = image::format_name(r->format);
  doc["size"] = r->size;
  doc["block_size"] = r->block_size;
  doc["boot_record"] = {{"version", map.version}, {"program_table_block", map.program_table_pointer.blockno}};
  doc["used_entries"] = r->used_entries;
  std::string text = fmt::format("disk {}: {}, {} bytes, block size {}\n", o.disk, image::format_name(r->format),
                                 r->size, r->block_size);
  text += fmt::format("boot record: zIPL version {}, program table at block {}\n", map.version,
                      map.program_table_pointer.blockno);
  std::string used;
  for (unsigned i : r->used_entries) used += fmt::format("{}{}", used.empty() ? "" : ", ", i);
  text += fmt::format("program table: entries {}\n", used);
  json programs = json::array();
  for (const auto& p : r->programs) programs.push_back(program_json(p, text));
  doc["programs"] = std::move(programs);
  auto& fs = doc["findings"] = json::array();
  for (const auto& w : map.warnings) fs.push_back(finding_json({Severity::kWarning, ids::kBootRecordWarning, w, {}}));
  if (o.json)
    print_json(doc);
  else
    std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

void setup(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<InspectOptions>();
  auto* cmd = parent.add_subcommand("inspect", "Show the zipl boot chain of a disk as the s390-ccw BIOS reads it");
  cmd->add_option("DISK", opts->disk, "Raw or qcow2 disk image")->required();
  cmd->add_flag("--json", opts->json, "Print one JSON document (schema_version 2)");
  cmd->add_option("--loadparm", opts->loadparm, "Only the program table entry N (0 = default)")
      ->type_name("N")
      ->check(CLI::Range(0u, static_cast<unsigned>(zipl::program_table::kEntryCount - 1)));
  cmd->add_option("--block-size", opts->block_size, "Disk block size (default: from the boot record)")
      ->type_name("BYTES")
      ->check(one_of({"512", "4096"}));
  document(cmd, {
      .description =
          {"Reads a zipl SCSI-scheme boot disk the way the s390-ccw BIOS walks it: the boot record in block 0, "
           "the program table it points to, and for each used program table entry (a boot menu entry; 0 is the "
           "default) the component table with its LOAD, SIGNATURE and EXEC entries and the extents they load.",
           "For each SIGNATURE entry it shows the signer the detached PKCS#7 signature names (issuer and serial, "
           "or key id) and which LOAD entry it covers; for each signed component whether it ends in a SCLAB. "
           "Raw and qcow2 images are read directly; the block size comes from the boot record unless "
           "`--block-size` is given."},
      .exit_status = {{0, "the boot chain was read"},
                      {2, "usage error"},
                      {3, "unreadable or malformed disk (the message names the block)"}},
      .json = {{"disk", "the image file"},
               {"format", "raw or qcow2"},
               {"size", "virtual disk size in bytes"},
               {"block_size", "512 or 4096"},
               {"boot_record", "version and program_table_block of the boot record"},
               {"used_entries", "the program table entries in use (0 = the default)"},
               {"programs[]", "one per program table entry read: index, component_table_block, header_type (ipl, "
                              "dump or unknown), loaded_bytes and components[]: index, type (load, signature or "
                              "exec), address, psw, length, segment_table_blocks, extents[] (block, count), "
                              "signature (SIGNATURE entries: format, length, signers[], error), signed_by (LOAD "
                              "entries: the index of the SIGNATURE entry covering it), sclab"},
               {"findings[]", "the BIOS's warnings about the boot record: severity, id, message, location, "
                              "params"}},
      .examples = {{"sipl inspect guest.qcow2", "Show the boot chain of a guest's disk"},
                   {"sipl inspect --json --loadparm 0 guest.qcow2",
                    "Only the default entry, as JSON"}},
      .see_also = {"zipl(8)", "qemu-img(1)"},
  });
  cmd->callback([opts, &ctx] { run_verb(ctx, [opts] { return run_inspect(*opts); }); });
}

SIPL_REGISTER_VERB(30, setup);

}  // namespace
}  // namespace sipl::cli
