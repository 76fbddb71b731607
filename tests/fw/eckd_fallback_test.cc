// Boot devices whose block 0 holds no zIPL boot record: the BIOS's ECKD fallback
// (pc-bios/s390-ccw/bootmap.c zipl_load -> zipl_load_vblk -> ipl_eckd, virtio-blkdev.c
// virtio_assume_eckd). Expected console lines are the BIOS's strings: a blank disk prints what
// it tried and "zIPL load failed!", and the next boot device boots, in every mode; a disk with
// an ECKD (CDL) boot record stops a Secure or Audit IPL with "Secure boot with the ECKD scheme
// is not supported!", so the device behind it is never tried.
#include <gtest/gtest.h>

#include <fstream>

#include "sipl/base/ebcdic.h"
#include "sipl/base/time.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/hv/sparse_guest_memory.h"
#include "support/must.h"
#include "support/run.h"
#include "support/test_data.h"

namespace sipl {
namespace {

struct Boot {
  Result<fw::IplOutcome> out;
  std::vector<std::string> console() const { return out ? out->console : std::vector<std::string>{}; }
};

Boot boot(const std::vector<std::string>& disks, bool certs, bool secure) {
  hv::MachineOptions o;
  if (certs)
    o.boot_certs = {test::corpus_cert("rsa2048.pem"), test::corpus_cert("rsa4096.pem"),
                    test::corpus_cert("ecp256.pem")};
  o.secure_boot = secure;
  for (size_t i = 0; i < disks.size(); ++i)
    o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, disks[i], static_cast<unsigned>(i + 1), std::nullopt});
  auto m = hv::Machine::create(o, nullptr);
  if (!m) {
    ADD_FAILURE() << m.error().to_string();
    return {tl::unexpected(m.error())};
  }
  hv::SparseGuestMemory mem(o.ram_bytes);
  return {fw::run_ipl(*m, mem, {parse_time("2026-07-03T00:00:00Z").value()})};
}

std::vector<std::string> until(const std::vector<std::string>& c, size_t n) {
  return {c.begin(), c.begin() + static_cast<long>(std::min(n, c.size()))};
}

// The lines the BIOS prints for a disk with no boot record in either scheme.
const std::vector<std::string> kBlank = {
    "LOADPARM=[        ]", "", "Using virtio-blk.", "Using guessed DASD geometry.",
    "Using ECKD scheme (block size  4096), CDL", "No zIPL section in IPL2 record.", "zIPL load failed!"};

class EckdFallback : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_text(dir / "blank.img", std::string(1 << 20, '\0'));
    // A CDL layout where the guessed-DASD BIOS reads it (4096-byte reads at 512-byte sector
    // numbers): the IPL2 record's zIPL section at block 1 + 92, the VOL1 label at block 2.
    std::string cdl(1 << 20, '\0');
    auto put = [&](size_t off, const std::string& s) { cdl.replace(off, s.size(), s); };
    put(512 + 92, "zIPL");
    put(512 + 92 + 8 + 5, std::string("\x10\x00", 2));  // block pointer size 4096; dev_type 0 (ECKD)
    const std::string vol1 = to_string(ascii_to_ebcdic("VOL1"));
    put(1024, vol1);
    put(1028, vol1);
    put(1032, to_string(ascii_to_ebcdic("LX0001")));
    test::write_text(dir / "cdl.img", cdl);
  }
  test::TempDir dir;
};

TEST_F(EckdFallback, BlankDiskFailsThroughEckdAndTheNextDeviceBootsInNormalMode) {
  auto b = boot({dir / "blank.img", test::corpus_disk("disk-h-sipl-secure")}, false, false);
  ASSERT_TRUE(b.out) << b.out.error().to_string();
  const auto console = b.console();
  EXPECT_EQ(until(console, kBlank.size()), kBlank);
  ASSERT_GE(console.size(), kBlank.size());
  const std::vector<std::string> next(console.begin() + static_cast<long>(kBlank.size()), console.end());
  EXPECT_EQ(next, (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme."}));
  EXPECT_EQ(b.out->verdict, fw::Verdict::kBoots);
  EXPECT_EQ(b.out->booted_device, std::optional<size_t>(1));
}

TEST_F(EckdFallback, BlankDiskInSecureModeIsNotThePanicTheNextDeviceBoots) {
  // The Secure-mode assertion sits in run_eckd_boot_script, which a blank disk never reaches.
  auto b = boot({dir / "blank.img", test::corpus_disk("disk-h-sipl-secure")}, true, true);
  ASSERT_TRUE(b.out) << b.out.error().to_string();
  EXPECT_EQ(until(b.console(), kBlank.size()), kBlank);
  EXPECT_EQ(b.out->verdict, fw::Verdict::kBoots);
  EXPECT_EQ(b.out->booted_device, std::optional<size_t>(1));
}

TEST_F(EckdFallback, OnlyBlankDisksEndInNoSuitableDevice) {
  auto b = boot({dir / "blank.img"}, false, false);
  ASSERT_TRUE(b.out);
  auto want = kBlank;
  want.push_back("ERROR: No suitable device for IPL. Halting...");
  EXPECT_EQ(b.console(), want);
  EXPECT_EQ(b.out->verdict, fw::Verdict::kNoBootableDevice);
}

TEST_F(EckdFallback, AnEckdBootRecordStopsSecureAndAuditIplBeforeTheNextDevice) {
  const std::vector<std::string> want = {"LOADPARM=[        ]",
                                         "",
                                         "Using virtio-blk.",
                                         "Using guessed DASD geometry.",
                                         "Using ECKD scheme (block size  4096), CDL",
                                         "VOLSER=[LX0001]",
                                         "ERROR: Secure boot with the ECKD scheme is not supported!"};
  for (bool secure : {true, false}) {
    auto b = boot({dir / "cdl.img", test::corpus_disk("disk-h-sipl-secure")}, true, secure);
    ASSERT_TRUE(b.out) << b.out.error().to_string();
    EXPECT_EQ(b.console(), want) << (secure ? "secure" : "audit");
    EXPECT_EQ(b.out->verdict, fw::Verdict::kHalts);
    EXPECT_EQ(b.out->halt_reason, "Secure boot with the ECKD scheme is not supported!");
    EXPECT_FALSE(b.out->booted_device.has_value());
  }
}

TEST_F(EckdFallback, AnEckdBootInNormalModeIsNotSimulated) {
  auto b = boot({dir / "cdl.img", test::corpus_disk("disk-h-sipl-secure")}, false, false);
  ASSERT_FALSE(b.out);
  EXPECT_EQ(b.out.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(b.out.error().message.find("ECKD-scheme (DASD) boot record"), std::string::npos);
}

// Returns the big-endian u64 at `off` of file `path` (the qcow2 spec's header and table fields).
uint64_t be64_at(const std::string& path, uint64_t off) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(off));
  unsigned char b[8] = {};
  f.read(reinterpret_cast<char*>(b), 8);
  uint64_t v = 0;
  for (unsigned char c : b) v = v << 8 | c;
  return v;
}

// A block the ECKD walk reads that the image cannot give (a qcow2 whose data cluster lies past
// the end of the file): QEMU fails the guest's read, so the BIOS prints its message, and the
// prediction names the host's reason with the file and the byte of the bad L2 entry.
TEST_F(EckdFallback, AnUnreadableBlockIsTheBiosReadFailureAndANoteNamingTheByte) {
  const std::string img = dir / "cut.qcow2";
  test::must("qemu-img create -q -f qcow2 -o cluster_size=512 '" + img + "' 1M");
  // Clusters 0 and 2 allocated (zeros), cluster 2's data written last, then cut off.
  test::must("qemu-io -c 'write -P 0 0 512' -c 'write -P 0 1024 512' '" + img + "' >/dev/null");
  test::must("truncate -s -512 '" + img + "'");
  const uint64_t l1 = be64_at(img, 40);                          // header: l1_table_offset
  const uint64_t l2 = be64_at(img, l1) & 0x00fffffffffffe00ull;  // L1[0]: the L2 table
  const uint64_t entry = l2 + 2 * 8;                             // L2[2]: guest bytes 1024..1535

  auto b = boot({img}, false, false);
  ASSERT_TRUE(b.out) << b.out.error().to_string();
  EXPECT_EQ(b.console(), (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.",
                                                   "Using guessed DASD geometry.",
                                                   "Using ECKD scheme (block size  4096), Cannot read block 2",
                                                   "zIPL load failed!",
                                                   "ERROR: No suitable device for IPL. Halting..."}));
  EXPECT_EQ(b.out->verdict, fw::Verdict::kNoBootableDevice);
  ASSERT_EQ(b.out->notes.size(), 1u);
  const auto& n = b.out->notes[0];
  EXPECT_EQ(n.id, "boot.walk_failed");
  EXPECT_EQ(n.where.path, img);
  EXPECT_EQ(n.where.offset, std::optional<uint64_t>(entry));
  EXPECT_EQ(n.message.rfind(img + ": byte " + std::to_string(entry) + ": L2 entry for guest byte 1024 ", 0), 0u)
      << n.message;
}

}  // namespace
}  // namespace sipl
