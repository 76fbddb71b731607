// `sipl boot` on the real zipl-written corpus disks, against the consoles of a real QEMU with
// the secure IPL series (corpus/console/*.log, series v8) and the component list the real
// Linux kernel printed from the IIRB in that boot. v8 printed "WARNING: " where the merged
// BIOS prints "AUDIT MODE WARNING: ", and "does not exists"; the merged BIOS also reports a
// missing SCLAB in Audit mode (v8's valid_sclab_check did not), see docs/DECISIONS-boot.md.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_data.h"
#include "support/run.h"

namespace sipl {
namespace {

std::string cert() { return test::corpus_cert("rsa2048.pem"); }
std::string other() { return test::corpus_cert("other.pem"); }
const std::string kAt = "2026-06-01T00:00:00Z";

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
    if (raw == "# ---- console output ----") { in = true; continue; }
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

std::vector<std::string> console_of(const nlohmann::json& j) { return j["console"].get<std::vector<std::string>>(); }

test::RunResult boot(std::vector<std::string> args) {
  std::vector<std::string> all{"boot", "--json", "--at", kAt};
  all.insert(all.end(), args.begin(), args.end());
  return test::run_sipl(all);
}

TEST(BootCorpus, DiskBAuditMatchesTheRealConsoleAndTheKernelsComponentList) {
  const std::string disk = test::corpus_disk("disk-b-secure");
  auto r = boot({"--disk", disk, "--boot-certs", cert()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["mode"], "audit");
  EXPECT_EQ(j["verdict"], "boots with warnings");
  const auto console = console_of(j);
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
  const auto& comps = j["components"];
  ASSERT_EQ(comps.size(), 8u);  // 7 loaded + the PSW pseudo-entry
  for (size_t i = 0; i < kernel.size(); ++i) {
    const auto& [start, end, what] = kernel[i];
    const auto& c = comps[i];
    EXPECT_EQ(std::stoull(c["address"].get<std::string>(), nullptr, 16), start) << i;
    EXPECT_EQ(start + c["length"].get<uint64_t>(), end) << i;
    const std::string ours = !c["signed"] ? "not signed" : c["verified"] ? "signed, verified" : "signed, verification failed";
    EXPECT_EQ(ours, what) << i;
  }
  EXPECT_EQ(comps[7]["kind"], "psw");
  EXPECT_EQ(comps[7]["address"], "0x000800008000a000");  // the EXEC entry in disk-b-secure.layout.txt
  EXPECT_EQ(j["iiei"]["value"], "0x2000");
  ASSERT_EQ(j["certificates"].size(), 1u);
  EXPECT_EQ(j["certificates"][0]["store_index"], 1);
  // The guest view read back from guest memory agrees with the real kernel: secure 0 (the log's
  // /sys/firmware/ipl/secure), the signing certificate in .platform, the same component lines.
  EXPECT_EQ(j["guest"]["secure"], false);
  ASSERT_EQ(j["guest"]["platform_keyring"].size(), 1u);
  EXPECT_NE(j["guest"]["platform_keyring"][0]["subject"].get<std::string>().find("RSA-2048 code signing"), std::string::npos);
  ASSERT_EQ(j["guest"]["components"].size(), 8u);
  for (size_t i = 0; i < kernel.size(); ++i) EXPECT_EQ(j["guest"]["components"][i]["status"], std::get<2>(kernel[i])) << i;
  // --strict turns Audit warnings into a negative verdict.
  EXPECT_EQ(boot({"--strict", "--disk", disk, "--boot-certs", cert()}).exit_code, 1);
}

TEST(BootCorpus, DiskBSecureStopsAtTheFirstComponentWithoutSclab) {
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert(), "--secure-boot", "on"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["mode"], "secure");
  EXPECT_EQ(j["verdict"], "halts");
  EXPECT_EQ(j["halt_reason"], "Magic does not match. SCLAB does not exist");
  EXPECT_EQ(console_of(j), corpus_bios_lines("b-secure-right"));
  EXPECT_EQ(console_of(j).back(), "ERROR: Magic does not match. SCLAB does not exist");
  // Entry [3] of the component table, stage 3 at 0xa000, in the independent walk
  // (disk-b-secure.layout.txt).
  EXPECT_EQ(j["halted_at"], nlohmann::json({{"index", 3}, {"role", "stage 3"}, {"address", "0x000000000000a000"}}));
}

TEST(BootCorpus, DiskAUnsignedInSecureMode) {
  auto r = boot({"--disk", test::corpus_disk("disk-a-unsigned"), "--boot-certs", cert(), "--secure-boot", "on"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(console_of(j), corpus_bios_lines("a-secure-right"));
  EXPECT_EQ(console_of(j).back(), "ERROR: Secure boot is on, but components are not signed");
}

TEST(BootCorpus, NormalModeSameDiskNoChecksNoReport) {
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["mode"], "normal");
  EXPECT_EQ(j["verdict"], "boots");
  EXPECT_EQ(console_of(j), (std::vector<std::string>{"LOADPARM=[        ]", "", "Using virtio-blk.", "Using SCSI scheme."}));
  EXPECT_TRUE(j["components"].empty());
  EXPECT_EQ(j["iirb_hex"], "");
}

TEST(BootCorpus, WrongCertificateInAuditModeVerifiesNothing) {
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", other()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  size_t failed = 0;
  for (const auto& l : console_of(j)) failed += l == "AUDIT MODE WARNING: Could not verify component";
  EXPECT_EQ(failed, 3u);
  EXPECT_TRUE(j["certificates"].empty());
}

TEST(BootCorpus, ExpiredCertificateVerifiesNothing) {
  // rsa2048.pem is valid 2024-01-01 .. 2049-12-31 (openssl x509 -dates); at 2050 QEMU rejects it.
  auto r = test::run_sipl({"boot", "--json", "--at", "2050-06-01T00:00:00Z", "--disk", test::corpus_disk("disk-b-secure"),
                           "--boot-certs", cert()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const auto& l : console_of(j)) EXPECT_NE(l, "Verified component");
}

TEST(BootCorpus, IirbBytesFieldByField) {
  test::TempDir dir;
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert(), "--iirb-out", dir / "iirb.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string b = test::read_text(dir / "iirb.bin");
  auto u8 = [&](size_t o) { return static_cast<uint8_t>(b.at(o)); };
  auto be = [&](size_t o, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v << 8 | u8(o + i);
    return v;
  };
  // Decoded from qemu-secure-ipl.md §5.3: 16-byte header, component list (16 + 8 × 32),
  // certificate list (16 + 1 × 16).
  ASSERT_EQ(b.size(), 320u);
  EXPECT_EQ(be(0, 4), 320u);
  for (size_t i = 4; i < 16; ++i) EXPECT_EQ(u8(i), 0) << i;
  EXPECT_EQ(be(16, 4), 16u + 8 * 32);  // component list length
  EXPECT_EQ(u8(20), 2);                // type 2 = components
  EXPECT_EQ(be(24, 2), 0x2000u);       // IIEI bit 2: no global SCLAB
  struct E { uint64_t addr, len; uint8_t flags; uint16_t cert; uint32_t cei; };
  // Addresses/lengths: disk-b-secure.layout.txt; flags: SC 0x80, CSV 0x40; CEI bit 0 = no SCLAB
  // (the kernel has one, see above).
  const E want[] = {{0x2000, 16384, 0, 0, 0},           {0xf000, 4096, 0, 0, 0},
                    {0xa000, 16384, 0xc0, 0, 0x80000000}, {0x9000, 512, 0, 0, 0},
                    {0x10000, 5066752, 0xc0, 0, 0}, {0x4e6000, 512, 0, 0, 0},
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

// disk-h (made by sipl from real parts) in Secure mode with its three signers, as in
// console/h-secure-three-signers.log: the BIOS lines and, in the text output's guest view,
// exactly the setup:/integrity: lines the real Linux printed (the PSW entry and the ECDSA key
// it could not load included), each line of the log verbatim without its timestamp.
TEST(BootCorpus, DiskHThreeSignersTextGuestViewIsWhatLinuxPrinted) {
  const auto log = lines_of(test::data_path("corpus/console/h-secure-three-signers.log"));
  std::vector<std::string> linux_lines;
  const std::regex kernel(R"(^\[\s*[0-9.]+\] ((setup: (Linux is running with Secure-IPL|The IPL report|[0-9a-f]{16} - ).*)|)"
                          R"((integrity: (Loading|Loaded|Problem|Error adding).*))$)");
  for (const auto& l : log) {
    if (l.find("userspace /init reached") != std::string::npos) break;
    std::smatch m;
    if (std::regex_match(l, m, kernel)) linux_lines.push_back(m[1]);
  }
  ASSERT_EQ(linux_lines.size(), 17u);
  auto r = test::run_sipl({"boot", "--at", kAt, "--secure-boot", "on", "--boot-certs", test::corpus_cert("rsa2048.pem"),
                           "--boot-certs", test::corpus_cert("rsa4096.pem"), "--boot-certs",
                           test::corpus_cert("ecp256.pem"), "--disk", test::corpus_disk("disk-h-sipl-secure")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string view = "Guest OS view (Linux):\n  /sys/firmware/ipl/secure: 1\n";
  const auto at = r.out.find(view);
  ASSERT_NE(at, std::string::npos) << r.out;
  std::istringstream rest(r.out.substr(at + view.size()));
  std::vector<std::string> got;
  for (std::string l; std::getline(rest, l) && got.size() < linux_lines.size();) got.push_back(l.substr(2));
  EXPECT_EQ(got, linux_lines);
  EXPECT_NE(r.out.find("  warning: IPL report certificate 2 ('Acceptance Test: ECDSA P-256 code signing') is not in "
                       "the .platform keyring: ECDSA keys need ECDSA support built into the kernel"),
            std::string::npos)
      << r.out;
  // The BIOS part of the console is the log's.
  auto j = boot({"--secure-boot", "on", "--boot-certs", test::corpus_cert("rsa2048.pem"), "--boot-certs",
                 test::corpus_cert("rsa4096.pem"), "--boot-certs", test::corpus_cert("ecp256.pem"), "--disk",
                 test::corpus_disk("disk-h-sipl-secure")});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(console_of(doc), corpus_bios_lines("h-secure-three-signers"));
  EXPECT_EQ(doc["guest"]["linux_console"].get<std::vector<std::string>>(), linux_lines);
  ASSERT_EQ(doc["guest"]["platform_keyring"].size(), 2u);
  EXPECT_EQ("integrity: Loaded X.509 cert '" + doc["guest"]["platform_keyring"][0]["description"].get<std::string>() +
                "'",
            linux_lines[11]);
}

TEST(BootCorpus, OldCpuModelCannotBootWithCertificates) {
  // gen15a is QEMU's z15; main() checks the facilities before its first boot_setup() (LOADPARM).
  auto r = boot({"--cpu", "gen15a", "--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert()});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(console_of(j), (std::vector<std::string>{"Secure IPL Facility is not supported by the hypervisor!",
                                                     "ERROR: Unable to boot in secure/audit mode"}));
  // A model QEMU does not have is QEMU's refusal (exit 4), not a prediction.
  r = boot({"--cpu", "z15", "--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert()});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("unable to find CPU model 'z15'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sipl

namespace sipl {
namespace {

TEST(BootCorpusText, HumanOutputNamesTheHaltAndWritesNoIirbWithoutABoot) {
  test::TempDir dir;
  auto r = test::run_sipl({"boot", "--at", "2026-06-01T00:00:00Z", "--disk", test::corpus_disk("disk-b-secure"),
                           "--boot-certs", cert(), "--secure-boot",
                           "on", "--iirb-out", dir / "iirb.bin"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("Mode: secure — "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  | ERROR: Magic does not match. SCLAB does not exist\n"), std::string::npos) << r.out;
  // The halt names the component: entry [3], stage 3 at 0xa000 (disk-b-secure.layout.txt).
  EXPECT_NE(r.out.find("\nVerdict: halts (Magic does not match. SCLAB does not exist) at component 3 (stage 3, "
                       "0x000000000000a000)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("sipl: note: no IIRB was written (Normal mode or no boot); " + (dir / "iirb.bin") + " not written\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(test::sh("test -e " + (dir / "iirb.bin")).exit_code, 1);
}

}  // namespace
}  // namespace sipl
