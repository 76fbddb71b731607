#include "sipl/fw/disk_inspection.h"

#include "sipl/image/boot_disk.h"
#include "sipl/image/sclab.h"

namespace sipl::fw {
namespace {

Result<InspectedProgram> inspect_program(const Program& p) {
  InspectedProgram out;
  out.index = p.index;
  out.component_table = p.component_table;
  out.header_type = p.header_type;
  out.loaded_bytes = p.loaded_bytes;
  std::optional<unsigned> pending;  // a SIGNATURE entry applies to the next LOAD
  for (const auto& c : p.components) {
    InspectedComponent ic;
    ic.entry = c;
    if (c.type == ComponentType::kSignature) {
      auto info = crypto::describe_pkcs7(c.signature->bytes, "signature");
      if (info) ic.signers = std::move(*info);
      else ic.signers_error = info.error().message;
      pending = c.index;
    } else if (c.type != ComponentType::kExec) {
      auto end = c.bytes.tail(image::kSclabMaxReach);
      if (!end) return tl::unexpected(end.error());
      ic.sclab = image::find_sclab(*end, c.bytes.size()).sclab.has_value();
      ic.signed_by = pending;
      pending.reset();
    }
    out.components.push_back(std::move(ic));
  }
  return out;
}

}  // namespace

Result<DiskInspection> inspect_disk(const InspectRequest& request) {
  auto disk = image::open_boot_disk(request.disk, request.block_size);
  if (!disk) return tl::unexpected(disk.error());
  auto map = read_boot_map(*disk);
  if (!map) return tl::unexpected(map.error());
  DiskInspection out;
  out.disk = request.disk;
  out.format = disk->format();
  out.size = disk->size();
  out.block_size = disk->block_size();
  out.used_entries = map->used_entries();
  out.boot_map = std::move(*map);
  const std::vector<unsigned> which = request.program ? std::vector<unsigned>{*request.program} : out.used_entries;
  for (unsigned i : which) {
    auto prog = load_program(*disk, out.boot_map, i);
    if (!prog) return tl::unexpected(prog.error());
    auto ip = inspect_program(*prog);
    if (!ip) return tl::unexpected(ip.error());
    out.programs.push_back(std::move(*ip));
  }
  return out;
}

}  // namespace sipl::fw
