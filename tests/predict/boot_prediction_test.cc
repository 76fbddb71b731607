// predict::predict_boot on the real zipl-written corpus disks, against the consoles of a real QEMU
// with the secure IPL series (corpus/console/*.log, series v8) and the component list the real
// Linux kernel printed from the IIRB in that boot: the library call, without the CLI (whose
// rendering tests/cli/boot_corpus_test.cc checks). v8 printed "WARNING: " where the merged
// BIOS prints "AUDIT MODE WARNING: ", and "does not exists"; the merged BIOS also reports a
// missing SCLAB in Audit mode (v8's valid_sclab_check did not), see docs/DECISIONS-boot.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <regex>
#include <tuple>

#include "sipl/base/bytes.h"
#include "sipl/predict/boot_prediction.h"
#include "support/run.h"
#include "support/test_data.h"

namespace sipl {
namespace {

std::string cert() { return test::corpus_cert("rsa2048.pem"); }
std::string other() { return test::corpus_cert("other.pem"); }
constexpr UnixTime kAt = 1780272000;  // 2026-06-01T00:00:00Z (date -d 2026-06-01Z +%s)

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// The BIOS part of a corpus console: after the console marker, up to the end marker or the
// blank line before the kernel's output; dots stripped; v8 wording mapped to the merged one.
std::vector<std::string> corpus_bios_lines(const std::string& name) {
  auto all = lines_of(test::data_path("corpus/console/" + name + ".log"));
  std::vector<std::string> out;
  bool in = false;
  for (const auto& raw : all) {
    if (raw == "# ---- console output ----") {
      in = true;
      continue;
    }
    if (!in) continue;
    if (raw.rfind("# ----", 0) == 0) break;
    if (raw.empty() && out.size() > 2) break;
    std::string l = raw.substr(std::min(raw.find_first_not_of('.'), raw.size()));
    if (l.rfind("WARNING: ", 0) == 0) l = "AUDIT MODE " + l;
    if (auto p = l.find("does not exists"); p != std::string::npos) l.replace(p, 15, "does not exist");
    out.push_back(l);
  }
  return out;
}

predict::BootRequest disk_request(const std::string& disk, std::vector<std::string> certs, bool secure,
                                  UnixTime at = kAt) {
  predict::BootRequest r;
  r.disk = predict::DiskForm{disk, std::move(certs), secure};
  r.at = at;
  return r;
}

// Predicts `r`; a failed prediction (e.g. the corpus missing) is a test failure and an empty
// optional, which the caller ASSERTs, so the run goes on to the next test.
std::optional<predict::BootPrediction> predict_ok(const predict::BootRequest& r) {
  Findings warnings;
  auto p = predict::predict_boot(r, &warnings);
  if (!p) {
    ADD_FAILURE() << p.error().to_string();
    return std::nullopt;
  }
  EXPECT_TRUE(warnings.empty());
  return std::move(*p);
}

TEST(BootPrediction, DiskBAuditMatchesTheRealConsoleAndTheKernelsComponentList) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-b-secure"), {cert()}, false));
  ASSERT_TRUE(po);
  const auto& p = *po;
  EXPECT_EQ(p.ipl.mode, hv::IplMode::kAudit);
  EXPECT_EQ(p.ipl.verdict, fw::Verdict::kBootsWithWarnings);
  const auto& console = p.ipl.console;
  const std::string magic = "AUDIT MODE WARNING: Magic does not match. SCLAB does not exist";
  const std::string none = "AUDIT MODE WARNING: No recognizable SCLAB";
  // The real console's lines, in order, are sipl's lines without the merged BIOS's SCLAB reports.
  std::vector<std::string> without;
  for (const auto& l : console)
    if (l != magic && l != none) without.push_back(l);
  EXPECT_EQ(without, corpus_bios_lines("b-audit-right"));
  // Debian's 6.1 kernel ends in a 32-byte format-0 SCLAB with no flags (its last 8 bytes on
  // the disk are 00 00 00 20 "zIPL"), so only stage 3 and the initrd lack one, and some signed
  // component has a recognizable SCLAB.
  EXPECT_EQ(console, (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme.", magic,
                                               "Verified component", "Verified component", magic,
                                               "AUDIT MODE WARNING: Could not verify component",
                                               "AUDIT MODE WARNING: Global SCLAB does not exist"}));
  // The kernel's "setup: <start> - <end> (...)" lines of the same boot, read from the log.
  std::regex re(R"(setup: ([0-9a-f]{16}) - ([0-9a-f]{16}) \((not signed|signed, verified|signed, verification failed)\))");
  std::vector<std::tuple<uint64_t, uint64_t, std::string>> kernel;
  for (const auto& l : lines_of(test::data_path("corpus/console/b-audit-right.log"))) {
    std::smatch m;
    if (std::regex_search(l, m, re))
      kernel.emplace_back(std::stoull(m[1], nullptr, 16), std::stoull(m[2], nullptr, 16), m[3]);
  }
  ASSERT_EQ(kernel.size(), 7u);
  const auto& comps = p.ipl.components;
  ASSERT_EQ(comps.size(), 8u);  // 7 loaded + the PSW pseudo-entry
  for (size_t i = 0; i < kernel.size(); ++i) {
    const auto& [start, end, what] = kernel[i];
    const auto& c = comps[i];
    EXPECT_EQ(c.address, start) << i;
    EXPECT_EQ(start + c.length, end) << i;
    const std::string ours = !c.is_signed() ? "not signed" : c.verified() ? "signed, verified" : "signed, verification failed";
    EXPECT_EQ(ours, what) << i;
  }
  EXPECT_TRUE(comps[7].psw_entry);
  EXPECT_EQ(comps[7].address, 0x000800008000a000u);  // the EXEC entry in disk-b-secure.layout.txt
  EXPECT_EQ(p.ipl.iiei, 0x2000);
  ASSERT_EQ(p.ipl.certificates.size(), 1u);
  EXPECT_EQ(p.ipl.certificates[0].store_index, 0u);  // 0-based in the library
  // The guest view read back from guest memory agrees with the real kernel: secure 0 (the log's
  // /sys/firmware/ipl/secure), the signing certificate in .platform, the same component lines.
  ASSERT_TRUE(p.guest);
  EXPECT_FALSE(p.guest->secure);
  const auto keys = p.guest->platform_keyring();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_NE(keys[0].subject.find("RSA-2048 code signing"), std::string::npos);
  ASSERT_TRUE(p.guest->report);
  ASSERT_EQ(p.guest->report->components.size(), 8u);
  for (size_t i = 0; i < kernel.size(); ++i) EXPECT_EQ(p.guest->report->components[i].status(), std::get<2>(kernel[i])) << i;
}

TEST(BootPrediction, DiskBSecureStopsAtTheFirstComponentWithoutSclab) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-b-secure"), {cert()}, true));
  ASSERT_TRUE(po);
  const auto& p = *po;
  EXPECT_EQ(p.ipl.mode, hv::IplMode::kSecure);
  EXPECT_EQ(p.ipl.verdict, fw::Verdict::kHalts);
  EXPECT_EQ(p.ipl.halt_reason, "Magic does not match. SCLAB does not exist");
  EXPECT_EQ(p.ipl.console, corpus_bios_lines("b-secure-right"));
  EXPECT_EQ(p.ipl.console.back(), "ERROR: Magic does not match. SCLAB does not exist");
  // Entry [3] of the component table, stage 3 at 0xa000, in the independent walk
  // (disk-b-secure.layout.txt).
  ASSERT_TRUE(p.ipl.halted_at);
  EXPECT_EQ(p.ipl.halted_at->index, 3u);
  EXPECT_EQ(p.ipl.halted_at->role, "stage 3");
  EXPECT_EQ(p.ipl.halted_at->address, 0xa000u);
  EXPECT_FALSE(p.guest);  // the guest never runs
}

TEST(BootPrediction, DiskAUnsignedInSecureMode) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-a-unsigned"), {cert()}, true));
  ASSERT_TRUE(po);
  const auto& p = *po;
  EXPECT_EQ(p.ipl.console, corpus_bios_lines("a-secure-right"));
  EXPECT_EQ(p.ipl.console.back(), "ERROR: Secure boot is on, but components are not signed");
}

TEST(BootPrediction, NormalModeSameDiskNoChecksNoReport) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-b-secure"), {}, false));
  ASSERT_TRUE(po);
  const auto& p = *po;
  EXPECT_EQ(p.ipl.mode, hv::IplMode::kNormal);
  EXPECT_EQ(p.ipl.verdict, fw::Verdict::kBoots);
  EXPECT_EQ(p.ipl.console, (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme."}));
  EXPECT_TRUE(p.ipl.components.empty());
  EXPECT_TRUE(p.ipl.iirb.empty());
}

TEST(BootPrediction, WrongCertificateInAuditModeVerifiesNothing) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-b-secure"), {other()}, false));
  ASSERT_TRUE(po);
  const auto& p = *po;
  EXPECT_EQ(std::count(p.ipl.console.begin(), p.ipl.console.end(), "AUDIT MODE WARNING: Could not verify component"), 3);
  EXPECT_TRUE(p.ipl.certificates.empty());
}

TEST(BootPrediction, ExpiredCertificateVerifiesNothing) {
  // rsa2048.pem is valid 2024-01-01 .. 2049-12-31 (openssl x509 -dates); on 2050-06-02 QEMU rejects it.
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-b-secure"), {cert()}, false, 2537740800));
  ASSERT_TRUE(po);
  const auto& p = *po;
  for (const auto& l : p.ipl.console) EXPECT_NE(l, "Verified component");
}

TEST(BootPrediction, IirbBytesFieldByField) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-b-secure"), {cert()}, false));
  ASSERT_TRUE(po);
  const auto& p = *po;
  const Bytes& b = p.ipl.iirb;
  auto u8 = [&](size_t o) { return static_cast<uint8_t>(b.at(o)); };
  auto be = [&](size_t o, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v << 8 | u8(o + i);
    return v;
  };
  // Decoded from QEMU include/hw/s390x/ipl/qipl.h, pc-bios/s390-ccw/secure-ipl.h: 16-byte header,
  // component list (16 + 8 × 32), certificate list (16 + 1 × 16).
  ASSERT_EQ(b.size(), 320u);
  EXPECT_EQ(be(0, 4), 320u);
  for (size_t i = 4; i < 16; ++i) EXPECT_EQ(u8(i), 0) << i;
  EXPECT_EQ(be(16, 4), 16u + 8 * 32);  // component list length
  EXPECT_EQ(u8(20), 2);                // type 2 = components
  EXPECT_EQ(be(24, 2), 0x2000u);       // IIEI bit 2: no global SCLAB
  struct E {
    uint64_t addr, len;
    uint8_t flags;
    uint16_t cert;
    uint32_t cei;
  };
  // Addresses/lengths: disk-b-secure.layout.txt; flags: SC 0x80, CSV 0x40; CEI bit 0 = no SCLAB
  // (the kernel has one, see above).
  const E want[] = {{0x2000, 16384, 0, 0, 0},           {0xf000, 4096, 0, 0, 0},
                    {0xa000, 16384, 0xc0, 0, 0x80000000}, {0x9000, 512, 0, 0, 0},
                    {0x10000, 5066752, 0xc0, 0, 0},     {0x4e6000, 512, 0, 0, 0},
                    {0x4f0000, 802816, 0x80, 0, 0x80000000}, {0x000800008000a000, 0, 0, 0, 0}};
  for (size_t i = 0; i < 8; ++i) {
    const size_t o = 32 + i * 32;
    EXPECT_EQ(be(o, 8), want[i].addr) << i;
    EXPECT_EQ(be(o + 8, 8), want[i].len) << i;
    EXPECT_EQ(u8(o + 16), want[i].flags) << i;
    for (size_t k = 17; k < 22; ++k) EXPECT_EQ(u8(o + k), 0) << i;
    EXPECT_EQ(be(o + 22, 2), want[i].cert) << i;
    EXPECT_EQ(be(o + 24, 4), want[i].cei) << i;
    EXPECT_EQ(be(o + 28, 4), 0u) << i;
  }
  const size_t c = 32 + 8 * 32;
  EXPECT_EQ(be(c, 4), 32u);
  EXPECT_EQ(u8(c + 4), 1);  // type 1 = certificates
  // 1024 MiB guest: BIOS at (1 GiB - 2 MiB) & ~0xffff = 0x3fe00000, ipl_data 7 pages below.
  EXPECT_EQ(be(c + 16, 8), 0x3fe00000u - 7 * 4096);
  auto der = test::sh("openssl x509 -in " + cert() + " -outform DER | wc -c");
  EXPECT_EQ(be(c + 24, 8), std::stoull(der.out));
}

TEST(BootPrediction, OldCpuModelCannotBootWithCertificates) {
  // gen15a is QEMU's z15; main() checks the facilities before its first boot_setup() (LOADPARM).
  auto r = disk_request(test::corpus_disk("disk-b-secure"), {cert()}, false);
  r.cpu = "gen15a";
  const auto po = predict_ok(r);
  ASSERT_TRUE(po);
  const auto& p = *po;
  EXPECT_EQ(p.ipl.verdict, fw::Verdict::kHalts);
  EXPECT_EQ(p.ipl.console, (std::vector<std::string>{"Secure IPL Facility is not supported by the hypervisor!",
                                                     "ERROR: Unable to boot in secure/audit mode"}));
  // A model QEMU does not have is QEMU's refusal, not a prediction.
  r.cpu = "z15";
  Findings w;
  auto refused = predict::predict_boot(r, &w);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnsupported);
}

// disk-h (made by sipl from real parts) in Secure mode with its three signers: the BIOS part of
// console/h-secure-three-signers.log (its Linux part: tests/cli/boot_corpus_test.cc).
TEST(BootPrediction, DiskHThreeSignersBiosConsoleIsTheLogs) {
  const auto po = predict_ok(disk_request(test::corpus_disk("disk-h-sipl-secure"),
                                          {test::corpus_cert("rsa2048.pem"), test::corpus_cert("rsa4096.pem"),
                                           test::corpus_cert("ecp256.pem")},
                                          true));
  ASSERT_TRUE(po);
  EXPECT_EQ(po->ipl.console, corpus_bios_lines("h-secure-three-signers"));
  ASSERT_TRUE(po->guest);
  EXPECT_EQ(po->guest->platform_keyring().size(), 2u);
}

TEST(BootPrediction, FormsAndRam) {
  Findings w;
  predict::BootRequest none;
  auto r = predict::predict_boot(none, &w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  predict::BootRequest two = disk_request(test::corpus_disk("disk-b-secure"), {}, false);
  two.domain = "x.xml";
  r = predict::predict_boot(two, &w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  predict::BootRequest small;
  small.qemu_argv = {"qemu-system-s390x", "-m", "8", "-drive",
                     "file=" + test::corpus_disk("disk-b-secure") + ",if=none,id=d0,format=raw", "-device",
                     "virtio-blk-ccw,drive=d0,bootindex=1"};
  r = predict::predict_boot(small, &w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(r.error().message, "guest RAM below 16 MiB: the s390-ccw BIOS does not fit");
}

}  // namespace
}  // namespace sipl
