// The s390-ccw BIOS's main(): mode from the IPLB flags, secure start-up, the boot devices in
// order with their gating, and the verdict (QEMU pc-bios/s390-ccw/main.c and bootmap.c).
#include "sipl/fw/secure_ipl.h"

#include <cctype>

#include <fmt/format.h>

#include "fw/secure_ipl_internal.h"
#include "sipl/base/bytes.h"
#include "sipl/image/boot_disk.h"
#include "sipl/image/zipl_layout.h"

namespace sipl::fw {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kBoots: return "boots";
    case Verdict::kBootsWithWarnings: return "boots with warnings";
    case Verdict::kHalts: return "halts";
    case Verdict::kNoBootableDevice: return "no bootable device";
  }
  return "?";
}

BiosLayout BiosLayout::at(uint64_t bios_base) {
  BiosLayout l;
  l.iplb = bios_base + 0x100000;
  l.vcssb = bios_base + 0x103000;
  l.vcb = bios_base + 0x104000;
  l.svb = bios_base + 0x108000;
  l.signature = bios_base + 0x109000;
  l.cert_temp = bios_base + 0x110000;
  return l;
}

namespace {

using detail::Bios;
using detail::BiosMode;

BiosMode bios_mode(uint8_t flags) {
  const bool iplir = flags & hv::kIplbFlagIplir, sipl = flags & hv::kIplbFlagSipl;
  if (iplir && !sipl) return BiosMode::kAudit;
  if (iplir && sipl) return BiosMode::kSecure;
  return BiosMode::kNormal;
}

// The program table entry the loadparm selects: its digits, blank = 0.
unsigned program_index(Bios& b, const std::string& loadparm) {
  std::string digits;
  for (char c : loadparm)
    if (c != ' ') digits += c;
  if (digits.empty()) return 0;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      b.note(ids::kBootLoadparmNotNumeric,
             fmt::format("loadparm '{}' does not select a program table entry; sipl boots entry 0", digits));
      return 0;
    }
  return static_cast<unsigned>(std::stoul(digits.substr(0, 3)));
}

// zipl_run for one disk; kFailed = the device fails ("Failed to IPL from this SCSI device!").
Result<detail::RunResult> run_disk(Bios& b, size_t i, const hv::BootDevice& dev, const IplOptions& options,
                                   std::vector<detail::FetchedCertificate>* certs) {
  b.print(dev.kind == hv::BootDeviceKind::kVirtioScsiCcw ? "Using virtio-scsi." : "Using virtio-blk.");
  auto disk = options.open_disk ? options.open_disk(dev.image) : image::open_boot_disk(dev.image);
  if (!disk) return tl::unexpected(disk.error());
  Bytes head(zipl::mbr::kLength);
  // ipl_scsi(): without "zIPL" in block 0 it returns quietly and zipl_load tries ECKD.
  if (disk->size() >= head.size() && disk->read(0, head).has_value() &&
      sipl::to_string(ByteSpan(head).first(4)) != "zIPL")
    return detail::eckd_fallback(b, *disk, dev.kind);
  auto map = read_boot_map(*disk);
  if (!map) {
    b.note(ids::kBootNoScsiScheme,
           fmt::format("{} (only the zipl SCSI scheme can be simulated)", map.error().to_string()),
           map.error().where);
    return detail::RunResult::kFailed;
  }
  b.print("Using SCSI scheme.");
  for (const auto& w : map->warnings) b.print(w);
  const unsigned index = program_index(b, b.machine.loadparm(i));
  auto program = load_program(*disk, *map, index);
  if (!program) {
    b.note(ids::kBootWalkFailed, program.error());  // names the image and the block or byte
    return detail::RunResult::kFailed;
  }
  b.out.program = index;
  b.out.psw = program->exec().address;
  if (b.mode == BiosMode::kNormal) {
    for (const auto& c : program->components)
      if (c.type == ComponentType::kLoad && !detail::load_component(b, c)) return detail::RunResult::kFailed;
    return detail::RunResult::kBooted;
  }
  return detail::run_secure_components(b, *program, certs);
}

}  // namespace

Result<IplOutcome> run_ipl(const hv::Machine& machine, hv::GuestMemory& memory, const IplOptions& options) {
  IplOutcome out;
  out.mode = machine.mode();
  out.layout = BiosLayout::at(machine.bios_base());
  Bios b{machine, memory, options.at, out};
  b.mode = bios_mode(machine.iplb_header_flags());
  // main(): the facility checks and the VCSSB query of a secure mode come before the first
  // boot_setup(), which prints the LOADPARM line (pc-bios/s390-ccw/main.c).
  if (b.mode != BiosMode::kNormal && !detail::secure_startup(b)) {
    out.verdict = Verdict::kHalts;
    return out;
  }
  // boot_setup() prints the loadparm of each IPLB the BIOS tries (main()'s while loop), its
  // own "\n" making the empty line after it.
  auto boot_setup = [&](size_t i) {
    b.print(fmt::format("LOADPARM=[{}]", machine.loadparm(i)));
    b.print("");
  };
  const auto& devices = machine.boot_order();
  if (devices.empty()) boot_setup(0);
  for (size_t i = 0; i < devices.size() && !b.halted; ++i) {
    const auto& dev = devices[i];
    boot_setup(i);
    const bool disk = dev.kind == hv::BootDeviceKind::kVirtioBlkCcw || dev.kind == hv::BootDeviceKind::kVirtioScsiCcw;
    if (b.mode != BiosMode::kNormal && dev.kind == hv::BootDeviceKind::kCdrom) {
      b.panic("Secure boot from ISO image is not supported!");
      break;
    }
    if (b.mode != BiosMode::kNormal && dev.kind == hv::BootDeviceKind::kVirtioNet) {
      b.panic("Virtio net boot device does not support secure boot!");
      break;
    }
    if (!disk) {
      b.note(ids::kBootDeviceNotSimulated,
             fmt::format("boot device {} is a {}: sipl simulates only zipl SCSI-scheme disks and tries the next device",
                         i, hv::to_string(dev.kind)));
      continue;
    }
    std::vector<detail::FetchedCertificate> certs;
    auto r = run_disk(b, i, dev, options, &certs);
    if (!r) return tl::unexpected(r.error());
    if (b.halted) break;
    if (*r != detail::RunResult::kBooted) {
      if (*r == detail::RunResult::kFailed) b.print("Failed to IPL from this SCSI device!");
      out.components.clear();
      out.iiei = 0;
      continue;
    }
    if (b.mode == BiosMode::kNormal) detail::write_iplb(b, i);
    else detail::write_ipl_report(b, i, certs);
    if (b.halted) break;
    out.booted_device = i;
    out.verdict = out.warnings ? Verdict::kBootsWithWarnings : Verdict::kBoots;
    return out;
  }
  if (!b.halted) {
    b.panic("No suitable device for IPL. Halting...");
    out.verdict = Verdict::kNoBootableDevice;
    return out;
  }
  out.verdict = Verdict::kHalts;
  return out;
}

}  // namespace sipl::fw
