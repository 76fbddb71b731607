// fw::run_ipl on hand-made zipl disks (tests/support/zipl_test_disk.h, written from upstream's
// byte offsets): the rules of QEMU pc-bios/s390-ccw/secure-ipl.c zipl_run_secure that need
// component tables zipl and mkdisk never write — unsigned code below 0x2000, overlapping
// components, two signatures in a row — with the exact console lines, CEI bits and verdicts.
#include <gtest/gtest.h>

#include "sipl/base/file.h"
#include "sipl/fw/iirb_layout.h"
#include "sipl/fw/secure_ipl.h"
#include "sipl/hv/sparse_guest_memory.h"
#include "support/run.h"
#include "support/test_data.h"
#include "support/zipl_test_disk.h"

namespace sipl {
namespace {

std::string cert() { return test::corpus_cert("rsa2048.pem"); }
const std::string kMagic = "AUDIT MODE WARNING: Magic does not match. SCLAB does not exist";
const std::string kNoVerify = "AUDIT MODE WARNING: Could not verify component";

struct Run {
  fw::IplOutcome out;
  std::vector<std::string> bios;  // console after the four start-up lines
};

Run boot(const test::TestDisk& disk, bool secure = false, std::vector<std::string> certs = {cert()}) {
  test::TempDir dir;
  test::write_text(dir / "d.img", std::string(reinterpret_cast<const char*>(disk.d.data()), disk.d.size()));
  hv::MachineOptions o;
  o.boot_certs = certs;
  o.secure_boot = secure;
  o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, dir / "d.img", 1, std::nullopt});
  auto m = hv::Machine::create(o, nullptr);
  if (!m) {
    ADD_FAILURE() << "machine not created: " << m.error().to_string();
    return {};
  }
  hv::SparseGuestMemory mem(o.ram_bytes);
  auto r = fw::run_ipl(*m, mem, {parse_time("2026-06-01T00:00:00Z").value()});
  if (!r) {
    ADD_FAILURE() << "run_ipl failed: " << r.error().to_string();
    return {};
  }
  Run run{*r, {}};
  if (r->console.size() > 4) run.bios.assign(r->console.begin() + 4, r->console.end());
  return run;
}

TEST(SecureIpl, UnsignedComponentBelow0x2000SetsCeiBit11) {
  test::TestDisk disk(512);
  disk.entry(0, 4, 2, 0x1000);
  auto r = boot(disk);
  EXPECT_EQ(r.bios, (std::vector<std::string>{"AUDIT MODE WARNING: Load address for unsigned component is less than 0x2000",
                                              kMagic, kNoVerify, "AUDIT MODE WARNING: No recognizable SCLAB",
                                              "AUDIT MODE WARNING: Global SCLAB does not exist"}));
  ASSERT_EQ(r.out.components.size(), 3u);
  EXPECT_EQ(r.out.components[0].cei, 0x00100000u);
  EXPECT_EQ(r.out.components[1].cei, 0x80000000u);
  EXPECT_EQ(r.out.components[1].flags, 0x80);
  EXPECT_EQ(r.out.iiei, 0x6000);
  EXPECT_EQ(r.out.verdict, fw::Verdict::kBootsWithWarnings);
  // Secure mode stops at the first error.
  auto s = boot(disk, true);
  EXPECT_EQ(s.bios, (std::vector<std::string>{"ERROR: Load address for unsigned component is less than 0x2000"}));
  EXPECT_EQ(s.out.verdict, fw::Verdict::kHalts);
  EXPECT_TRUE(s.out.iirb.empty());
}

TEST(SecureIpl, ComponentOverlappingASignedOneIsReported) {
  test::TestDisk disk(512);
  disk.entry(0, 6, 3, 0);  // SIGNATURE first ...
  test::put_be(disk.d, disk.ent(0) + 24, 0x01000000'00000064ULL, 8);
  disk.entry(1, 4, 2, 0x10000);  // ... so this LOAD is signed
  disk.entry(2, 8, 2, 0x10200);  // and this one lies inside it
  auto r = boot(disk);
  EXPECT_EQ(r.bios, (std::vector<std::string>{kMagic, kNoVerify, "AUDIT MODE WARNING: Component addresses overlap",
                                              "AUDIT MODE WARNING: No recognizable SCLAB",
                                              "AUDIT MODE WARNING: Global SCLAB does not exist"}));
  ASSERT_EQ(r.out.components.size(), 3u);
  EXPECT_EQ(r.out.components[1].cei, 0u);  // no CEI bit for an overlap
}

TEST(SecureIpl, TwoSignaturesInARowFailTheDeviceInBothModes) {
  test::TestDisk disk(512);
  disk.entry(0, 6, 3, 0);
  test::put_be(disk.d, disk.ent(0) + 24, 0x01000000'00000064ULL, 8);
  for (bool secure : {false, true}) {
    auto r = boot(disk, secure);
    EXPECT_EQ(r.bios, (std::vector<std::string>{"Failed to IPL from this SCSI device!",
                                                "ERROR: No suitable device for IPL. Halting..."}));
    EXPECT_EQ(r.out.verdict, fw::Verdict::kNoBootableDevice);
  }
}

TEST(SecureIpl, SignatureNotInDerFormatFailsTheDevice) {
  test::TestDisk disk(512);
  test::put_be(disk.d, disk.ent(1) + 24, 2, 1);  // SIGNATURE format 2
  auto r = boot(disk);
  EXPECT_EQ(r.bios, (std::vector<std::string>{"Signature is not in DER format", "Failed to IPL from this SCSI device!",
                                              "ERROR: No suitable device for IPL. Halting..."}));
}

TEST(SecureIpl, NormalModeSkipsSignaturesAndChecksNothing) {
  test::TestDisk disk(512);
  disk.entry(0, 4, 2, 0x1000);
  auto r = boot(disk, false, {});
  EXPECT_EQ(r.out.mode, hv::IplMode::kNormal);
  EXPECT_TRUE(r.bios.empty());
  EXPECT_EQ(r.out.verdict, fw::Verdict::kBoots);
  EXPECT_TRUE(r.out.components.empty());
}

TEST(Machine, BootOrderRefusalsAndIplDataPlacement) {
  hv::MachineOptions o;
  o.devices = {{hv::BootDeviceKind::kVirtioBlkCcw, "b.img", 2, std::nullopt},
               {hv::BootDeviceKind::kVirtioBlkCcw, "a.img", 1, std::nullopt}};
  auto m = hv::Machine::create(o, nullptr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->boot_order()[0].image, "a.img");
  EXPECT_EQ(m->mode(), hv::IplMode::kNormal);
  // Two devices: QEMU allocates ipl_data 7 pages below the BIOS, here (1 GiB − 2 MiB) − 0x7000.
  EXPECT_EQ(m->ipl_data(), 0x3fe00000u - 0x7000);
  o.devices.resize(1);
  auto one = hv::Machine::create(o, nullptr);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->ipl_data(), 0u);
  // Normal mode accepts a virtio-net boot device; with certificates QEMU refuses it.
  o.devices.push_back({hv::BootDeviceKind::kVirtioNet, "", 3, std::nullopt});
  EXPECT_TRUE(hv::Machine::create(o, nullptr));
  o.boot_certs = {cert()};
  auto refused = hv::Machine::create(o, nullptr);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "Virtio net boot device does not support secure boot!");
  EXPECT_EQ(refused.error().code, ErrorCode::kUnsupported);
  o.devices.back().kind = hv::BootDeviceKind::kVirtioPci;
  EXPECT_EQ(hv::Machine::create(o, nullptr).error().message, "Virtio pci boot device does not support secure boot!");
}

TEST(SparseGuestMemory, ReadsZerosWritesAcrossPagesRefusesOutside) {
  hv::SparseGuestMemory m(1 << 20);
  Bytes data(70000, std::byte{0x5a});
  ASSERT_TRUE(m.write(60000, data));
  EXPECT_EQ(m.read_bytes(60000, 70000), data);
  EXPECT_EQ(m.read_bytes(0, 4), Bytes(4));
  EXPECT_FALSE(m.write((1 << 20) - 2, Bytes(3)));
  EXPECT_FALSE(m.accessible(~uint64_t{0}, 2));
  EXPECT_TRUE(m.accessible(1 << 20, 0));
}

}  // namespace
}  // namespace sipl

namespace sipl {
namespace {

// Writes a SCLAB trailer at the end of the TestDisk's signed LOAD component [2] (0x20000,
// blocks fde+8 and fde+9..fde+10: 1536 bytes): SCLAB fields per QEMU pc-bios/s390-ccw/secure-ipl.h,
// then the 8-byte locator (reserved 2, len u16, "zIPL").
void put_sclab(test::TestDisk& disk, uint16_t locator_len, uint8_t format, uint16_t flags, uint64_t psw, uint64_t addr) {
  const uint64_t end = (disk.first_data_end + 11) * disk.bs;
  std::fill_n(disk.d.begin() + end - 32, 32, std::byte{0});
  test::put_be(disk.d, end - 32, format, 1);
  test::put_be(disk.d, end - 30, flags, 2);
  test::put_be(disk.d, end - 24, psw, 8);
  test::put_be(disk.d, end - 16, addr, 8);
  test::put_be(disk.d, end - 6, locator_len, 2);
  disk.magic(end - 4);
}

TEST(SecureIplSclab, LocatorLengthBelow32SetsCeiBits0And1) {
  test::TestDisk disk(512);
  put_sclab(disk, 16, 0, 0, 0, 0);
  auto r = boot(disk);
  EXPECT_EQ(r.bios, (std::vector<std::string>{"AUDIT MODE WARNING: Invalid SCLAB length", kNoVerify,
                                              "AUDIT MODE WARNING: No recognizable SCLAB",
                                              "AUDIT MODE WARNING: Global SCLAB does not exist"}));
  ASSERT_EQ(r.out.components.size(), 3u);
  EXPECT_EQ(r.out.components[1].length, 1536u);
  EXPECT_EQ(r.out.components[1].cei, 0xC0000000u);
}

TEST(SecureIplSclab, EveryNonGlobalFieldRuleInOrder) {
  test::TestDisk disk(512);
  put_sclab(disk, 32, 1, 0x3000 /* NUC | SC */, 1, 1);
  auto r = boot(disk);
  EXPECT_EQ(r.bios, (std::vector<std::string>{"AUDIT MODE WARNING: Format-0 SCLAB is not being used",
                                              "AUDIT MODE WARNING: Load PSW is not zero when Override PSW bit is zero",
                                              "AUDIT MODE WARNING: Load Address is not zero when OLA flag is zero",
                                              "AUDIT MODE WARNING: NUC bit is set, but not in the global SCLAB",
                                              "AUDIT MODE WARNING: SC bit is set, but not in the global SCLAB", kNoVerify,
                                              "AUDIT MODE WARNING: Global SCLAB does not exist"}));
  ASSERT_EQ(r.out.components.size(), 3u);
  // Bits 2, 6, 8, 9, 10 (bit 0 = 0x80000000).
  EXPECT_EQ(r.out.components[1].cei, 0x20000000u | 0x02000000u | 0x00800000u | 0x00400000u | 0x00200000u);
  EXPECT_EQ(r.out.iiei, 0x2000);
}

TEST(SecureIplSclab, GlobalSclabWithoutOlaAndAPswOutsideSignedCode) {
  test::TestDisk disk(512);
  put_sclab(disk, 32, 0, 0x8000 /* OPSW */, 0x000800008000A000ULL, 0);
  auto r = boot(disk);
  EXPECT_EQ(r.bios, (std::vector<std::string>{"AUDIT MODE WARNING: OLA flag is not set to one in the global SCLAB",
                                              kNoVerify, "AUDIT MODE WARNING: Invalid PSW"}));
  ASSERT_EQ(r.out.components.size(), 3u);
  EXPECT_EQ(r.out.components[1].cei, 0x01000000u);  // bit 7
  EXPECT_TRUE(r.out.components[2].psw_entry);
  EXPECT_EQ(r.out.components[2].address, 0x000800008000A000u);
  EXPECT_EQ(r.out.components[2].cei, 0x04000000u);  // bit 5: 0xA000 is in no signed component
  EXPECT_EQ(r.out.iiei, 0);
}

}  // namespace
}  // namespace sipl
