// `sipl boot` on the real zipl-written corpus disks: how the CLI renders a prediction (JSON
// validated against its schema, text, exit codes, --iirb-out). What the prediction is, against
// the real consoles and the real kernel's component list, tests/predict/ checks on the library.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
  ASSERT_EQ(b.size(), 320u);  // 16 + (16 + 8 × 32) + (16 + 16), qemu-secure-ipl.md §5.3
  EXPECT_EQ(test::sh("od -An -v -tx1 '" + (dir / "iirb.bin") + "' | tr -d ' \\n'").out, r.json["iirb_hex"]);
}

TEST(BootCorpusText, HumanOutputNamesTheHaltAndWritesNoIirbWithoutABoot) {
  test::TempDir dir;
  auto r = test::run_sipl({"boot", "--at", kAt, "--disk", test::corpus_disk("disk-b-secure"), "--boot-certs", cert(),
                           "--secure-boot", "on", "--iirb-out", dir / "iirb.bin"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("Mode: secure — "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  | ERROR: Magic does not match. SCLAB does not exist\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nVerdict: halts (Magic does not match. SCLAB does not exist)\n"), std::string::npos) << r.out;
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
  // The PSW pseudo-entry, which the hand-written view used to drop (Linux prints it).
  EXPECT_NE(r.out.find("\n  000800008000a000 - 000800008000a000 (not signed)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  000000000000a000 - 000000000000e000 (signed, verified)\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sipl
