// sipl inspect end to end on the corpus disks (raw and qemu-img qcow2) and on malformed disks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "support/json_schema.h"
#include "support/test_data.h"
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
  auto r = test::run_sipl_json({"inspect", "--json", disk});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
  return r.json;
}

TEST(InspectCli, CorpusDiskBJson) {
  const json j = inspect_json(test::corpus_disk("disk-b-secure"));
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["schema_version"], 2);
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
  EXPECT_EQ(c[3]["address"], "0x000000000000a000");
  EXPECT_EQ(c[3]["length"], 16384);
  EXPECT_EQ(c[6]["address"], "0x0000000000010000");
  EXPECT_EQ(c[6]["length"], 5066752);
  EXPECT_EQ(c[10]["psw"], "0x000800008000a000");
  EXPECT_EQ(c[10]["address"], "0x000000000000a000");
  EXPECT_TRUE(c[2]["address"].is_null());  // a SIGNATURE entry loads nowhere

  // The signer, as the openssl CLI reads it from the certificate that signed the disk.
  const std::string cert = test::corpus_cert("rsa2048.pem");
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
    EXPECT_EQ(s["signers"][0]["digest"], "sha256");
    EXPECT_EQ(s["signers"][0]["signer_id"], "issuer_and_serial");
    EXPECT_TRUE(s["error"].is_null());
    EXPECT_EQ(c[i + 1]["signed_by"], i);
  }
  // zipl 2.16's stage3 has no SCLAB; the kernel ends in the 32-byte Linux trailer (…207a49504c).
  EXPECT_EQ(c[3]["sclab"], false);
  EXPECT_EQ(c[6]["sclab"], true);
  EXPECT_EQ(c[9]["sclab"], false);
  EXPECT_TRUE(c[0]["signature"].is_null());
  EXPECT_TRUE(c[0]["signed_by"].is_null());
  EXPECT_TRUE(c[10]["sclab"].is_null());
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
  EXPECT_NE(r.out.find("  [2] load      address 0x0000a000, 16384 bytes\n      extents: 20044+32\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  [7] exec      psw 000800008000a000\n"), std::string::npos) << r.out;
}

TEST(InspectCli, MalformedDiskExits3WithBlockNumber) {
  test::TempDir dir;
  const std::string p = dir / "zero.img";
  test::write_text(p, std::string(4096, '\0'));
  auto r = test::run_sipl({"inspect", p});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + p +
                       ": block 0: no zIPL boot record (magic is 00000000, expected 7a49504c "
                       "\"zIPL\"): not a zipl SCSI-scheme boot disk\n");
  EXPECT_EQ(r.out, "");
}

TEST(InspectCli, LoadparmSelectsOneEntry) {
  const std::string disk = test::corpus_disk("disk-a-unsigned");
  auto empty = test::run_sipl({"inspect", "--loadparm", "5", disk});
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_EQ(empty.err, "sipl: error: " + disk +
                           ": block 20084: program table entry 5 is empty (loadparm 5 selects "
                           "nothing)\n");
  auto range = test::run_sipl({"inspect", "--loadparm", "31", disk});
  EXPECT_EQ(range.exit_code, 2);
  auto ok = test::run_sipl_json({"inspect", "--json", "--loadparm", "0", "--block-size", "512", disk});
  EXPECT_EQ(ok.run.exit_code, 0) << ok.run.err;
  // An error under --json: the document on stdout names the block, as the message does.
  auto bad = test::run_sipl_json({"inspect", "--json", "--loadparm", "5", disk});
  EXPECT_EQ(bad.run.exit_code, 3);
  EXPECT_EQ(bad.json["error"]["code"], "bad_input");
  EXPECT_EQ(bad.json["error"]["location"]["path"], disk);
  EXPECT_EQ(bad.json["error"]["location"]["block"], 20084);
}

TEST(InspectCli, VersionWarningOnStderr) {
  test::TempDir dir;
  const std::string p = dir / "v2.img";
  ASSERT_EQ(test::sh("cp '" + test::corpus_disk("disk-a-unsigned") + "' '" + p +
                     "' && printf '\\000\\000\\000\\002' | dd of='" + p + "' bs=1 seek=4 conv=notrunc status=none")
                .exit_code,
            0);
  auto jr = test::run_sipl_json({"inspect", "--json", p});
  EXPECT_EQ(jr.run.exit_code, 0);
  EXPECT_EQ(jr.run.err, "sipl: warning: Unknown MBR layout version, assuming version 1\n");
  const json& j = jr.json;
  EXPECT_EQ(j["boot_record"]["version"], 2);
  EXPECT_EQ(j["findings"][0]["message"], "Unknown MBR layout version, assuming version 1");
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
}

TEST(InspectCli, BlockSize4096FromTheBootRecordAndMenuEntries) {
  test::TempDir dir;
  test::TestDisk t(4096);
  test::put_be(t.d, 2 * 4096 + 0x20, 3, 8);  // program table entry 1: a second menu position
  test::put_be(t.d, 2 * 4096 + 0x28, 4096, 2);
  const std::string p = dir / "d4k.img";
  test::write_text(p, to_string(t.d));
  auto jr = test::run_sipl_json({"inspect", "--json", p});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const json& j = jr.json;
  EXPECT_EQ(j["block_size"], 4096);
  ASSERT_EQ(j["programs"].size(), 2u);
  EXPECT_EQ(j["programs"][1]["index"], 1);
  const json& c = j["programs"][0]["components"];
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0]["length"], (255 + 3) * 4096);
  EXPECT_EQ(c[0]["segment_table_blocks"], json::array({4, 5}));
  EXPECT_EQ(c[1]["signature"]["length"], 100);
  EXPECT_EQ(c[1]["signature"]["signers"].size(), 0u);  // 100 pattern bytes are no PKCS#7
  EXPECT_TRUE(c[1]["signature"]["error"].is_string());
  EXPECT_EQ(c[2]["signed_by"], 1);
  // Forcing 512-byte blocks reads block 2 as bytes 1024..1535 of the MBR block: no table there.
  auto forced = test::run_sipl({"inspect", "--block-size", "512", p});
  EXPECT_EQ(forced.exit_code, 3);
  EXPECT_EQ(forced.err, "sipl: error: " + p + ": block 2: program table has no zIPL magic\n");
}

TEST(InspectCli, HelpHasExample) {
  auto r = test::run_sipl({"inspect", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:\n  # Show the boot chain of a guest's disk\n  sipl inspect guest.qcow2\n"),
            std::string::npos)
      << r.out;
}

// Components are ranges read on demand, but a qcow2 cluster that cannot be decoded must still
// stop the walk (the BIOS's read would fail there), naming the file place, with nothing printed,
// even where nothing else reads it (the middle of the kernel; Normal mode checks nothing).
TEST(InspectCli, Qcow2WithACorruptKernelClusterFailsAtTheWalk) {
  test::TempDir dir;
  const std::string raw = test::corpus_disk("disk-b-secure");
  const std::string q = dir / "bad.qcow2";
  ASSERT_EQ(test::sh("qemu-img convert -c -f raw -O qcow2 '" + raw + "' '" + q + "'").exit_code, 0);
  // The middle of the kernel (LOAD at 0x10000) from the layout, then its qcow2 L2 entry decoded
  // here from the qcow2 spec (header: cluster_bits @20, l1_size @36, l1_table_offset @40).
  const json layout = inspect_json(raw);
  uint64_t start = 0, length = 0;
  for (const auto& c : layout["programs"][0]["components"])
    if (c["address"] == "0x0000000000010000") {
      start = c["extents"][0]["block"].get<uint64_t>() * 512;
      length = c["extents"][0]["count"].get<uint64_t>() * 512;
    }
  ASSERT_NE(length, 0u);
  const std::string script = R"PY(
import struct, sys
path, start, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = open(path, "r+b"); h = f.read(72)
bits = struct.unpack(">I", h[20:24])[0]; l1_off = struct.unpack(">Q", h[40:48])[0]
cs = 1 << bits; l2_entries = cs // 8
def entry(guest):
    f.seek(l1_off + 8 * (guest // cs // l2_entries)); l2 = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
    at = l2 + 8 * (guest // cs % l2_entries); f.seek(at); return at, struct.unpack(">Q", f.read(8))[0]
# The first compressed cluster lying wholly inside the kernel, well away from its ends.
guest = (start + 2 * cs) // cs * cs
while True:
    assert guest + 2 * cs < start + length, "no compressed cluster inside the kernel"
    entry_at, e = entry(guest)
    if e >> 62 & 1: break
    guest += cs
host = e & ((1 << (62 - (bits - 8))) - 1)
f.seek(host + 16); f.write(b"\xff" * 256)
print(host, entry_at, cs)
)PY";
  auto fields = test::sh("python3 -c '" + script + "' '" + q + "' " + std::to_string(start) + " " + std::to_string(length));
  ASSERT_EQ(fields.exit_code, 0) << fields.err;
  uint64_t host = 0, entry_at = 0, cluster = 0;
  std::istringstream(fields.out) >> host >> entry_at >> cluster;

  auto r = test::run_sipl({"inspect", q});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  const std::string want = q + ": byte " + std::to_string(host) + ": compressed cluster (L2 entry at byte " +
                           std::to_string(entry_at) + ") does not inflate to " + std::to_string(cluster) + " bytes";
  EXPECT_EQ(r.err.rfind("sipl: error: " + want + " (zlib status ", 0), 0u) << r.err;

  // The boot fails the device the same way (Normal mode: nothing else would read the cluster).
  auto b = test::run_sipl({"boot", "--disk", q});
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.out.find("  | Using SCSI scheme.\n  | Failed to IPL from this SCSI device!\n"
                       "  | ERROR: No suitable device for IPL. Halting...\n"),
            std::string::npos)
      << b.out;
  EXPECT_EQ(b.err.rfind("sipl: note: " + want, 0), 0u) << b.err;
}

}  // namespace
}  // namespace sipl
