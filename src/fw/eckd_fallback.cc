// What the s390-ccw BIOS does with a disk whose block 0 holds no zIPL boot record
// (pc-bios/s390-ccw/bootmap.c zipl_load -> zipl_load_vblk / zipl_load_vscsi -> ipl_eckd, with
// virtio-blkdev.c virtio_assume_eckd): it guesses a DASD geometry and tries the ECKD scheme
// (a list-directed boot record, a CDL volume label with an IPL2 record, an LDL/CMS label, an
// unlabeled LDL). On a disk that has none of them it prints what it tried, then "zIPL load
// failed!", and the next boot device is tried. A disk that has one reaches
// run_eckd_boot_script, whose first act in Audit or Secure mode is the panic "Secure boot with
// the ECKD scheme is not supported!" (it stops the whole IPL). sipl does not simulate an ECKD
// boot in Normal mode (kUnsupported).
//
// The BIOS reads through one shared sector buffer (`sec`); later checks look at whatever the
// last read left there, so the walk below keeps the same buffer. After virtio_assume_eckd a
// virtio-blk disk is read in 4096-byte blocks addressed in 512-byte sectors (blk_factor 1);
// virtio-scsi keeps its 512-byte blocks.
#include <optional>

#include <fmt/format.h>

#include "fw/secure_ipl_internal.h"
#include "sipl/base/ebcdic.h"
#include "sipl/base/reader.h"

namespace sipl::fw::detail {
namespace {

constexpr uint8_t kZipl[] = {'z', 'I', 'P', 'L'};
constexpr uint8_t kVol1[] = {0xe5, 0xd6, 0xd3, 0xf1};  // "VOL1" in EBCDIC
constexpr uint8_t kCms1[] = {0xc3, 0xd4, 0xe2, 0xf1};  // "CMS1"
constexpr uint8_t kLnx1[] = {0xd3, 0xd5, 0xe7, 0xf1};  // "LNX1"
constexpr size_t kIpl2Mbr = 4 + 88;                    // EckdCdlIpl2: key[4], EckdStage1 (88), XEckdMbr
constexpr size_t kLdlBootInfo = 24 + 88;               // EckdLdlIpl1: reserved[24], EckdStage1, BootInfo
constexpr size_t kVolLabelBootRecord = 4 + 4 + 6 + 64; // IplVolumeLabel.f.br (EckdCHS)
constexpr size_t kLdlVersion = 4 + 6 + 69;             // LDL_VTOC.LDL_version

enum class Eckd { kNotApplicable, kFailed, kBootRecord };

class EckdWalk {
 public:
  EckdWalk(Bios& b, const image::DiskImage& disk, uint32_t block_size)
      : b_(b), disk_(disk), bs_(block_size), sectors_(sectors_for(block_size)), sec_(block_size) {}

  // The read the host could not do, if one ended the walk.
  const std::optional<Error>& error() const { return error_; }

  // ipl_eckd()
  Eckd run() {
    pending_ = fmt::format("Using ECKD scheme (block size {:>5}), ", bs_);
    if (!read(2)) return fail("Cannot read block 2");
    // A list-directed boot record named by the CCHHB in the volume label supersedes CCW-IPL.
    const uint16_t cyl = u16(kVolLabelBootRecord), head = u16(kVolLabelBootRecord + 2);
    const uint8_t sector = u8(kVolLabelBootRecord + 4);
    if (head < 15 && sector > 0 && sector <= sectors_) {
      Bytes tmp(bs_);
      if (!read_into(chs_to_block(cyl, head, sector), tmp)) return fail("Cannot read boot record");
      if (magic(tmp, 0, kZipl)) {
        say("List-Directed");
        return Eckd::kBootRecord;
      }
      if (!read(2)) return fail("Cannot read block 2");
    }
    if (magic(sec_, 0, kVol1)) {
      const Eckd r = cdl();
      if (r != Eckd::kNotApplicable) return r;
    }
    if (magic(sec_, 0, kCms1)) return ldl("CMS", false);
    if (magic(sec_, 0, kLnx1)) return ldl("LDL", false);
    if (const Eckd r = ldl("", true); r != Eckd::kNotApplicable) return r;
    return cdl();  // it might still be a CDL with zero record keys for IPL1 and IPL2
  }

 private:
  static uint8_t sectors_for(uint32_t bs) {  // virtio_eckd_sectors_for_block_size
    switch (bs) {
      case 512: return 49;
      case 1024: return 33;
      case 2048: return 21;
      case 4096: return 12;
      default: return 0;
    }
  }
  uint64_t chs_to_block(uint64_t c, uint64_t h, uint64_t s) const {
    const uint64_t cylinder = c + ((h & 0xfff0) << 12);
    return uint64_t{sectors_} * 15 * cylinder + uint64_t{sectors_} * (h & 0x000f) + s - 1;
  }
  // The sector buffer is read through a Reader. Every offset below is under 200 and the
  // buffer holds a whole ECKD block (512 to 4096 bytes), so no read fails; if one did, it
  // reads as zero bytes, which no check below accepts as a boot record.
  Reader sec() const { return Reader(sec_, disk_.path(), 0, "the sector buffer"); }
  uint16_t u16(size_t off) const { return sec().u16_be_at(off, "ECKD field").value_or(0); }
  uint8_t u8(size_t off) const { return sec().u8_at(off, "ECKD field").value_or(0); }
  static bool magic(ByteSpan b, size_t off, const uint8_t (&m)[4]) {
    auto got = Reader(b).bytes_at(off, 4, "magic");
    if (!got) return false;
    for (size_t i = 0; i < 4; ++i)
      if (std::to_integer<uint8_t>((*got)[i]) != m[i]) return false;
    return true;
  }
  // virtio_read(sector): one block of the ECKD block size at sector * 512. A block past the
  // end of the disk is a failed read. So is a read the host cannot do (an I/O error, a corrupt
  // qcow2 table): QEMU hands the guest an I/O error and the BIOS prints its message; the host's
  // error (file and byte) is kept in error() so the prediction can name it.
  [[nodiscard]] bool read_into(uint64_t sector, Bytes& into) {
    if (error_ || sector > disk_.size() / 512 || disk_.size() - sector * 512 < into.size()) return false;
    auto st = disk_.read(sector * 512, into);
    if (!st) error_ = st.error();
    return static_cast<bool>(st);
  }
  [[nodiscard]] bool read(uint64_t sector) { return read_into(sector, sec_); }
  // puts(): completes the line print_eckd_msg left open.
  void say(const std::string& text) {
    b_.print(pending_ + text);
    pending_.clear();
  }
  Eckd fail(const std::string& text) {
    say(text);
    return Eckd::kFailed;
  }
  void print_volser(size_t off) {
    say("VOLSER=[" + ebcdic_to_ascii(sec().bytes_at(off, 6, "VOLSER").value_or(ByteSpan{})) + "]");
  }

  // ipl_eckd_cdl()
  Eckd cdl() {
    say("CDL");
    if (!read(1)) return fail("Cannot read IPL2 record at block 1");
    if (!magic(sec_, kIpl2Mbr, kZipl)) return not_applicable("No zIPL section in IPL2 record.");
    if (u16(kIpl2Mbr + 8 + 5) != bs_) return not_applicable("Bad block size in zIPL section of IPL2 record.");
    if (u8(kIpl2Mbr + 6) != 0)
      return not_applicable("Non-ECKD device type in zIPL section of IPL2 record.");
    if (!read(2)) return fail("Cannot read Volume Label at block 2");
    if (!magic(sec_, 0, kVol1)) return not_applicable("Invalid magic of volume label block.");
    if (!magic(sec_, 4, kVol1)) return not_applicable("Invalid magic of volser block.");
    print_volser(8);
    return Eckd::kBootRecord;
  }
  Eckd not_applicable(const std::string& text) {
    say(text);
    return Eckd::kNotApplicable;
  }

  // ipl_eckd_ldl(mode); `kind` "CMS" or "LDL", or an unlabeled LDL.
  Eckd ldl(const std::string& kind, bool unlabeled) {
    if (!unlabeled) {
      const uint8_t v = u8(kLdlVersion);
      const std::byte vb{v};
      const std::string version = v == 0x40 ? "1." : v == 0xf2 ? "2." : ebcdic_to_ascii(ByteSpan(&vb, 1)) + "?";
      say(kind + " version " + version);
      print_volser(4);
    }
    if (!read(0)) return fail("Cannot read block 0 to grab boot info.");
    if (unlabeled) {
      if (!magic(sec_, kLdlBootInfo, kZipl)) return Eckd::kNotApplicable;
      say("unlabeled LDL.");
    }
    verify_boot_info();
    return Eckd::kBootRecord;
  }

  // verify_boot_info(): its messages are printed, its verdict ignored by the caller.
  void verify_boot_info() {
    const size_t o = kLdlBootInfo;
    if (!magic(sec_, o, kZipl)) return say("No zIPL sig in BootInfo");
    if (u8(o + 4) != 1) return say("Wrong zIPL version");
    if (u8(o + 5) != 0) return say("DASD is not for IPL");
    if (u8(o + 6) != 0) return say("DASD is not ECKD");
    if (u8(o + 7) != 1) return say("Not for this arch");
    if (u16(o + 8 + 5) != bs_) return say("Bad block size in zIPL section of 1st record");
  }

  Bios& b_;
  const image::DiskImage& disk_;
  std::optional<Error> error_;
  uint32_t bs_;
  uint8_t sectors_;
  Bytes sec_;
  std::string pending_;
};

// has_iso_signature(): "CD001" at byte 0x8001.
Result<bool> has_iso_signature(const image::DiskImage& disk) {
  Bytes b(6);
  if (disk.size() < 0x8006) return false;
  if (auto st = disk.read(0x8000, b); !st) return tl::unexpected(st.error());
  return sipl::to_string(ByteSpan(b).subspan(1, 5)) == "CD001";
}

}  // namespace

Result<RunResult> eckd_fallback(Bios& b, const image::DiskImage& disk, hv::BootDeviceKind kind) {
  const bool scsi = kind == hv::BootDeviceKind::kVirtioScsiCcw;
  auto iso = scsi ? Result<bool>(false) : has_iso_signature(disk);
  if (!iso) b.note(ids::kBootWalkFailed, iso.error());  // then the ECKD walk
  if (iso && *iso)
    return fail(ErrorCode::kUnsupported,
                fmt::format("{}: an ISO 9660 image on a disk device: sipl does not simulate El Torito boots",
                            disk.path()));
  // zipl_load_vblk guesses a DASD only for block sizes other than 4096; zipl_load_vscsi always.
  uint32_t eckd_bs = disk.block_size();
  if (scsi || disk.block_size() != 4096) {
    b.print("Using guessed DASD geometry.");
    eckd_bs = scsi ? disk.block_size() : 4096;  // virtio_assume_eckd
  }
  EckdWalk walk(b, disk, eckd_bs);
  const Eckd r = walk.run();
  if (walk.error()) {
    b.note(ids::kBootWalkFailed, *walk.error());
    b.print("zIPL load failed!");
    return RunResult::kFailedPrinted;
  }
  if (r == Eckd::kBootRecord) {
    if (b.mode != BiosMode::kNormal) {
      b.panic("Secure boot with the ECKD scheme is not supported!");
      return RunResult::kFailedPrinted;
    }
    return fail(ErrorCode::kUnsupported,
                fmt::format("{}: the disk holds an ECKD-scheme (DASD) boot record; sipl simulates only the zipl "
                            "SCSI scheme",
                            disk.path()));
  }
  b.note(ids::kBootEckdFallback,
         fmt::format("{} has no zIPL boot record in block 0: the BIOS tried the ECKD scheme and found no boot "
                     "record there either",
                     disk.path()));
  b.print("zIPL load failed!");
  return RunResult::kFailedPrinted;
}

}  // namespace sipl::fw::detail
