// `sipl boot` on the real zipl-written corpus disks: how the CLI renders a prediction (JSON
// validated against its schema, text, exit codes, --iirb-out). What the prediction is, against
// the real consoles and the real kernel's component list, tests/predict/ checks on the library.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/json_schema.h"
#include "support/run.h"
#include "support/test_data.h"

namespace sipl {
namespace {

std::string cert() { return test::corpus_cert("rsa2048.pem"); }
const std::string kAt = "2026-06-01T00:00:00Z";

test::JsonRun boot(std::vector<std::string> args) {
  std::vector<std::string> all{"boot", "--json", "--at", kAt};
  all.insert(all.end(), args.begin(), args.end());
  return test::run_sipl_json(all);
}

TEST(BootCorpus, AuditJsonSpellsTheReportAsDocsJsonSays) {
  const std::string disk = test::corpus_disk("disk-b-secure");
  auto r = boot({"--disk", disk, "--boot-certs", cert()});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto& j = r.json;
  EXPECT_EQ(j["schema_version"], 2);
  EXPECT_EQ(j["mode"], "audit");
  EXPECT_EQ(j["verdict"], "boots_with_warnings");
  EXPECT_EQ(j["iplb_header_flags"], "0x20");
  EXPECT_EQ(j["boot_order"][0]["image"], disk);
  EXPECT_EQ(j["booted_device"], 0);
  const auto& comps = j["components"];
  ASSERT_EQ(comps.size(), 8u);
  // Addresses and lengths from disk-b-secure.layout.txt; stage 3 (2) and the kernel (4) verified
  // with the first (and only) store certificate.
  EXPECT_EQ(comps[2]["address"], "0x000000000000a000");
  EXPECT_EQ(comps[2]["store_index"], 1);
  EXPECT_EQ(comps[2]["certificate_index"], 0);
  EXPECT_EQ(comps[2]["cei"], "0x80000000");
  EXPECT_EQ(comps[2]["cei_bits"][0]["mask"], "0x80000000");
  EXPECT_EQ(comps[4]["address"], "0x0000000000010000");
  EXPECT_EQ(comps[4]["length"], 5066752);
  EXPECT_TRUE(comps[0]["store_index"].is_null());
  EXPECT_EQ(comps[7]["type"], "psw");
  EXPECT_EQ(comps[7]["address"], "0x000800008000a000");
  EXPECT_EQ(j["iiei"]["value"], "0x2000");
  EXPECT_EQ(j["iiei"]["bits"][0]["mask"], "0x2000");
  ASSERT_EQ(j["certificates"].size(), 1u);
  EXPECT_EQ(j["certificates"][0]["store_index"], 1);
  EXPECT_EQ(j["certificates"][0]["address"], "0x000000003fdf9000");  // 0x3fe00000 - 7 pages
  // The guest view, as guest::to_json spells it: Linux lists the PSW entry too, as
  // "<psw> - <psw> (not signed)" (corpus h-secure-three-signers.log).
  EXPECT_EQ(j["guest"]["secure"], false);
  ASSERT_EQ(j["guest"]["components"].size(), 8u);
  EXPECT_EQ(j["guest"]["components"][7]["address"], "0x000800008000a000");
  EXPECT_EQ(j["guest"]["components"][7]["status"], "not signed");
  EXPECT_EQ(j["guest"]["components"][2]["status"], "signed, verified");
  // --strict turns Audit warnings into a negative verdict.
  EXPECT_EQ(boot({"--strict", "--disk", disk, "--boot-certs", cert()}).run.exit_code, 1);
}

TEST(BootCorpus, HaltsWithExit1AndNoGuest) {
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert(), "--secure-boot", "on"});
  ASSERT_EQ(r.run.exit_code, 1) << r.run.err;
  EXPECT_EQ(r.json["verdict"], "halts");
  EXPECT_EQ(r.json["halt_reason"], "Magic does not match. SCLAB does not exist");
  // Entry [3] of the component table, stage 3 at 0xa000, in the independent walk
  // (disk-b-secure.layout.txt).
  EXPECT_EQ(r.json["halted_at"], nlohmann::json({{"index", 3}, {"role", "stage 3"}, {"address", "0x000000000000a000"}}));
  EXPECT_TRUE(r.json["guest"].is_null());
  EXPECT_TRUE(r.json["booted_device"].is_null());
  EXPECT_TRUE(r.json["iirb_hex"].is_null());
}

TEST(BootCorpus, NormalModeHasNoReport) {
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure")});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.json["mode"], "normal");
  EXPECT_TRUE(r.json["components"].empty());
  EXPECT_TRUE(r.json["iirb_hex"].is_null());
}

TEST(BootCorpus, IirbOutWritesTheBytesTheJsonShows) {
  test::TempDir dir;
  auto r = boot({"--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert(), "--iirb-out", dir / "iirb.bin"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const std::string b = test::read_text(dir / "iirb.bin");
  // 16 + (16 + 8 × 32) + (16 + 16): QEMU include/hw/s390x/ipl/qipl.h, pc-bios/s390-ccw/secure-ipl.h
  ASSERT_EQ(b.size(), 320u);
  EXPECT_EQ(test::sh("od -An -v -tx1 '" + (dir / "iirb.bin") + "' | tr -d ' \\n'").out, r.json["iirb_hex"]);
}

// disk-h (made by sipl from real parts) in Secure mode with its three signers, as in
// console/h-secure-three-signers.log: in the text output's guest view, exactly the
// setup:/integrity: lines the real Linux printed (the PSW entry and the ECDSA key it could not
// load included), each line of the log verbatim without its timestamp; the same lines in the
// JSON's guest.linux_console. (The BIOS part of the console: tests/predict.)
TEST(BootCorpus, DiskHThreeSignersTextGuestViewIsWhatLinuxPrinted) {
  std::ifstream in(test::data_path("corpus/console/h-secure-three-signers.log"));
  std::vector<std::string> linux_lines;
  const std::regex kernel(R"(^\[\s*[0-9.]+\] ((setup: (Linux is running with Secure-IPL|The IPL report|[0-9a-f]{16} - ).*)|)"
                          R"((integrity: (Loading|Loaded|Problem|Error adding).*))$)");
  for (std::string l; std::getline(in, l);) {
    if (l.find("userspace /init reached") != std::string::npos) break;
    std::smatch m;
    if (std::regex_match(l, m, kernel)) linux_lines.push_back(m[1]);
  }
  ASSERT_EQ(linux_lines.size(), 17u);
  const std::vector<std::string> args{"--secure-boot", "on", "--boot-certs", test::corpus_cert("rsa2048.pem"),
                                      "--boot-certs", test::corpus_cert("rsa4096.pem"), "--boot-certs",
                                      test::corpus_cert("ecp256.pem"), "--disk", test::corpus_disk("disk-h-sipl-secure")};
  std::vector<std::string> text{"boot", "--at", kAt};
  text.insert(text.end(), args.begin(), args.end());
  auto r = test::run_sipl(text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The sysfs files first, then Linux's console lines.
  const std::string view = "Guest OS view (Linux):\n  /sys/firmware/ipl/secure: 1\n  /sys/firmware/ipl/has_secure: 1\n";
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
  auto j = boot(args);
  ASSERT_EQ(j.run.exit_code, 0) << j.run.err;
  EXPECT_EQ(j.json["guest"]["linux_console"].get<std::vector<std::string>>(), linux_lines);
  ASSERT_EQ(j.json["guest"]["platform_keyring"].size(), 2u);
  EXPECT_EQ("integrity: Loaded X.509 cert '" + j.json["guest"]["platform_keyring"][0]["description"].get<std::string>() +
                "'",
            linux_lines[11]);
  ASSERT_EQ(j.json["guest"]["platform_keyring_loads"].size(), 3u);
  EXPECT_EQ(j.json["guest"]["platform_keyring_loads"][2]["loaded"], false);
}

TEST(BootCorpus, UnknownCpuModelIsQemusRefusal) {
  // A model QEMU does not have is QEMU's refusal (exit 4), not a prediction; gen15a (QEMU's
  // z15) is a prediction: tests/predict.
  auto r = boot({"--cpu", "z15", "--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert()});
  EXPECT_EQ(r.run.exit_code, 4) << r.run.err;
  EXPECT_NE(r.run.err.find("unable to find CPU model 'z15'"), std::string::npos) << r.run.err;
  EXPECT_EQ(r.json["error"]["exit_code"], 4);
}

TEST(BootCorpusText, HumanOutputNamesTheHaltAndWritesNoIirbWithoutABoot) {
  test::TempDir dir;
  auto r = test::run_sipl({"boot", "--at", kAt, "--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert(),
                           "--secure-boot", "on", "--iirb-out", dir / "iirb.bin"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("Mode: secure — "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  | ERROR: Magic does not match. SCLAB does not exist\n"), std::string::npos) << r.out;
  // The halt names the component: entry [3], stage 3 at 0xa000 (disk-b-secure.layout.txt).
  EXPECT_NE(r.out.find("\nVerdict: halts (Magic does not match. SCLAB does not exist) at component 3 (stage 3, "
                       "0x000000000000a000)\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("Guest OS view"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("sipl: note: no IIRB was written (Normal mode or no boot); " + (dir / "iirb.bin") + " not written\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(test::sh("test -e " + (dir / "iirb.bin")).exit_code, 1);
}

TEST(BootCorpusText, GuestViewListsEveryReportComponentAsLinuxDoes) {
  auto r = test::run_sipl({"boot", "--at", kAt, "--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nGuest OS view (Linux):\n  /sys/firmware/ipl/secure: 0\n"), std::string::npos) << r.out;
  // The PSW pseudo-entry, which the hand-written view used to drop (Linux prints it), as Linux
  // prints each line: "setup: " first (corpus h-secure-three-signers.log).
  EXPECT_NE(r.out.find("\n  setup: 000800008000a000 - 000800008000a000 (not signed)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  setup: 000000000000a000 - 000000000000e000 (signed, verified)\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sipl
