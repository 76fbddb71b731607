// sipl inspect end to end on the corpus disks (raw and qemu-img qcow2) and on malformed disks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/corpus_disks.h"
#include "support/run.h"
#include "support/zipl_test_disk.h"

namespace sipl {
namespace {

using nlohmann::json;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

json inspect_json(const std::string& disk) {
  auto r = test::run_sipl({"inspect", "--json", disk});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

TEST(InspectCli, CorpusDiskBJson) {
  const json j = inspect_json(test::corpus_disk("disk-b-secure"));
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["block_size"], 512);
  EXPECT_EQ(j["format"], "raw");
  EXPECT_EQ(j["boot_record"]["program_table_block"], 20066);
  ASSERT_EQ(j["programs"].size(), 1u);
  const json& p = j["programs"][0];
  EXPECT_EQ(p["index"], 0);
  const json& c = p["components"];
  ASSERT_EQ(c.size(), 11u);
  const char* types[] = {"load", "load", "signature", "load", "load", "signature",
                         "load", "load", "signature", "load", "exec"};
  for (size_t i = 0; i < 11; ++i) EXPECT_EQ(c[i]["type"], types[i]) << i;
  EXPECT_EQ(c[3]["address"], 0xA000);
  EXPECT_EQ(c[3]["length"], 16384);
  EXPECT_EQ(c[6]["address"], 0x10000);
  EXPECT_EQ(c[6]["length"], 5066752);
  EXPECT_EQ(c[10]["psw"], "000800008000a000");
  EXPECT_EQ(c[10]["address"], 0xA000);

  // The signer, as the openssl CLI reads it from the certificate that signed the disk.
  const std::string cert = std::string(SIPL_SHARED_DIR) + "/corpus/certs/rsa2048.pem";
  const std::string issuer =
      trim(test::sh("openssl x509 -in '" + cert + "' -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//'").out);
  const std::string serial = trim(test::sh("openssl x509 -in '" + cert + "' -noout -serial | sed 's/^serial=//'").out);
  ASSERT_FALSE(issuer.empty());
  for (size_t i : {2, 5, 8}) {
    const json& s = c[i]["signature"];
    EXPECT_EQ(s["format"], 1);
    EXPECT_EQ(s["length"], 419);
    ASSERT_EQ(s["signers"].size(), 1u);
    EXPECT_EQ(s["signers"][0]["issuer"], issuer);
    EXPECT_EQ(s["signers"][0]["serial"], serial);
    EXPECT_EQ(s["signers"][0]["digest"], "SHA256");
    EXPECT_EQ(c[i + 1]["signature"]["entry"], i);
  }
  // zipl 2.16's stage3 has no SCLAB; the kernel ends in the 32-byte Linux trailer (…207a49504c).
  EXPECT_EQ(c[3]["sclab"], false);
  EXPECT_EQ(c[6]["sclab"], true);
  EXPECT_EQ(c[9]["sclab"], false);
  EXPECT_TRUE(c[0]["signature"].is_null());
}

TEST(InspectCli, Qcow2ReportsTheSameChainAsRaw) {
  const std::string raw = test::corpus_disk("disk-a-unsigned");
  const std::string q = test::corpus_scratch_dir() + "/disk-a-cli.qcow2";
  ASSERT_EQ(test::sh("qemu-img convert -c -f raw -O qcow2 '" + raw + "' '" + q + "'").exit_code, 0);
  json a = inspect_json(raw);
  json b = inspect_json(q);
  EXPECT_EQ(b["format"], "qcow2");
  EXPECT_EQ(a["programs"], b["programs"]);
  EXPECT_EQ(a["boot_record"], b["boot_record"]);
}

TEST(InspectCli, TextOutput) {
  auto r = test::run_sipl({"inspect", test::corpus_disk("disk-a-unsigned")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("boot record: zIPL version 1, program table at block 20084\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  [2] load      address 0x0000a000, 16384 bytes\n      extents: 20044+32\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  [7] exec      psw 000800008000a000\n"), std::string::npos) << r.out;
}

TEST(InspectCli, MalformedDiskExits3WithBlockNumber) {
  test::TempDir dir;
  const std::string p = dir / "zero.img";
  test::write_text(p, std::string(4096, '\0'));
  auto r = test::run_sipl({"inspect", p});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + p + ": block 0: no zIPL boot record (magic is 00000000, expected 7a49504c "
                                         "\"zIPL\"): not a zipl SCSI-scheme boot disk\n");
  EXPECT_EQ(r.out, "");
}

TEST(InspectCli, LoadparmSelectsOneEntry) {
  const std::string disk = test::corpus_disk("disk-a-unsigned");
  auto empty = test::run_sipl({"inspect", "--loadparm", "5", disk});
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_EQ(empty.err, "sipl: error: " + disk + ": block 20084: program table entry 5 is empty (loadparm 5 selects "
                                                "nothing)\n");
  auto range = test::run_sipl({"inspect", "--loadparm", "31", disk});
  EXPECT_EQ(range.exit_code, 2);
  auto ok = test::run_sipl({"inspect", "--json", "--loadparm", "0", "--block-size", "512", disk});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(InspectCli, VersionWarningOnStderr) {
  test::TempDir dir;
  const std::string p = dir / "v2.img";
  ASSERT_EQ(test::sh("cp '" + test::corpus_disk("disk-a-unsigned") + "' '" + p +
                     "' && printf '\\000\\000\\000\\002' | dd of='" + p + "' bs=1 seek=4 conv=notrunc status=none")
                .exit_code,
            0);
  auto r = test::run_sipl({"inspect", "--json", p});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "sipl: warning: Unknown MBR layout version, assuming version 1\n");
  json j = json::parse(r.out);
  EXPECT_EQ(j["boot_record"]["version"], 2);
  EXPECT_EQ(j["boot_record"]["warnings"][0], "Unknown MBR layout version, assuming version 1");
}

TEST(InspectCli, BlockSize4096FromTheBootRecordAndMenuEntries) {
  test::TempDir dir;
  test::TestDisk t(4096);
  test::put_be(t.d, 2 * 4096 + 0x20, 3, 8);  // program table entry 1: a second menu position
  test::put_be(t.d, 2 * 4096 + 0x28, 4096, 2);
  const std::string p = dir / "d4k.img";
  test::write_text(p, to_string(t.d));
  auto r = test::run_sipl({"inspect", "--json", p});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["block_size"], 4096);
  ASSERT_EQ(j["programs"].size(), 2u);
  EXPECT_EQ(j["programs"][1]["index"], 1);
  const json& c = j["programs"][0]["components"];
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0]["length"], (255 + 3) * 4096);
  EXPECT_EQ(c[0]["segment_table_blocks"], json::array({4, 5}));
  EXPECT_EQ(c[1]["signature"]["length"], 100);
  EXPECT_EQ(c[1]["signature"]["signers"].size(), 0u);  // 100 pattern bytes are no PKCS#7
  EXPECT_TRUE(c[1]["signature"].contains("error"));
  EXPECT_EQ(c[2]["signature"]["entry"], 1);
  // Forcing 512-byte blocks reads block 2 as bytes 1024..1535 of the MBR block: no table there.
  auto forced = test::run_sipl({"inspect", "--block-size", "512", p});
  EXPECT_EQ(forced.exit_code, 3);
  EXPECT_EQ(forced.err, "sipl: error: " + p + ": block 2: program table has no zIPL magic\n");
}

TEST(InspectCli, HelpHasExample) {
  auto r = test::run_sipl({"inspect", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Example:"), std::string::npos);
}

}  // namespace
}  // namespace sipl
