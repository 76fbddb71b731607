// `sipl mkdisk` end to end: files signed by the kernel's real sign-file with an openssl-made
// key, --secure semantics and messages, DOS partition tables made by sfdisk, --dry-run,
// --offset and --force on existing images.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include <fstream>

#include "support/json_schema.h"
#include "support/run.h"
#include "support/zipl_walk.h"

namespace sipl {
namespace {

const std::string kSignFile = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";

class Mkdisk : public ::testing::Test {
 protected:
  void SetUp() override {
    // Files of known sizes: stage 3 16 KiB, kernel 64 KiB, initrd 5000 bytes (not a block multiple).
    sh("head -c 16384 /dev/urandom > stage3.bin && head -c 65536 /dev/urandom > vmlinuz && "
       "head -c 5000 /dev/urandom > initrd.img");
  }
  void sh(const std::string& cmd) {
    auto r = test::sh("cd '" + dir.path() + "' && " + cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  }
  // Signs `file` in place with sign-file and keeps the detached DER as file.p7s (-p).
  void sign(const std::string& file) {
    if (!std::ifstream(dir / "key.pem"))
      sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 "
         "-subj /CN=sipl-mkdisk-test 2>/dev/null");
    sh(kSignFile + " -p sha256 key.pem cert.pem " + file);
  }
  test::RunResult mkdisk(std::vector<std::string> args) {
    std::vector<std::string> all = {"mkdisk", "-o", dir / "disk.img", "--stage3", dir / "stage3.bin",
                                    "--kernel", dir / "vmlinuz"};
    all.insert(all.end(), args.begin(), args.end());
    // Every --json document is validated against the verb's schema.
    if (std::find(all.begin(), all.end(), "--json") != all.end()) return test::run_sipl_json(all).run;
    return test::run_sipl(all);
  }
  test::TempDir dir;
};

TEST_F(Mkdisk, SignedFilesGetSignatureEntriesWithSignFilesDer) {
  // stage 3 ends in zipl's global SCLAB (s390-tools zipl/boot/stage3.lds.S: flags OPSW|OLA, the
  // EXEC PSW, 0xA000, locator length 32 + "zIPL"); the kernel has none.
  sh("printf '\\000\\000\\300\\000\\000\\000\\000\\000"
     "\\000\\010\\000\\000\\200\\000\\240\\000"
     "\\000\\000\\000\\000\\000\\000\\240\\000"
     "\\000\\000\\000\\040zIPL' | dd of=stage3.bin bs=1 seek=16352 conv=notrunc status=none");
  sign("stage3.bin");
  sign("vmlinuz");
  sign("initrd.img");
  auto r = mkdisk({"--initrd", dir / "initrd.img", "--parmline", "root=/dev/vda1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The signed initrd is verified too, so it needs a SCLAB as much as the kernel does (the real
  // console b-audit-right.log shows the BIOS's SCLAB warning for disk-b's signed initrd).
  EXPECT_EQ(r.err, "sipl: warning: " + (dir / "vmlinuz") +
                       " is signed but has no SCLAB (Magic does not match. SCLAB does not exist): QEMU's "
                       "secure-boot=on will stop at it, audit mode only warns; re-sign it with one: sipl sign "
                       "--resign --sclab plain ...\n"
                       "sipl: warning: Size of signed file " + (dir / "initrd.img") +
                       " is not a multiple of the disk block size\n"
                       "sipl: warning: " + (dir / "initrd.img") +
                       " is signed but has no SCLAB (Magic does not match. SCLAB does not exist): QEMU's "
                       "secure-boot=on will stop at it, audit mode only warns; re-sign it with one: sipl sign "
                       "--resign --sclab plain ...\n");
  auto walk = test::walk_zipl_disk(test::slurp(dir / "disk.img"), 512);
  ASSERT_EQ(walk.error, "");
  const auto& c = walk.programs.at(0).components;
  std::vector<uint8_t> types;
  for (const auto& x : c) types.push_back(x.type);
  EXPECT_EQ(types, (std::vector<uint8_t>{2, 2, 3, 2, 2, 3, 2, 2, 3, 2, 1}));
  // Each SIGNATURE holds exactly sign-file's detached DER (.p7s) and says its length.
  const std::pair<size_t, const char*> sigs[] = {{2, "stage3.bin.p7s"}, {5, "vmlinuz.p7s"}, {8, "initrd.img.p7s"}};
  for (auto [k, p7s] : sigs) {
    std::string der = test::slurp(dir / p7s);
    ASSERT_GT(der.size(), 100u);
    EXPECT_EQ(c[k].compdat, 0x0100000000000000ULL | der.size()) << p7s;
    EXPECT_EQ(c[k].loaded.substr(0, der.size()), der) << p7s;
    EXPECT_EQ(c[k].loaded.size(), (der.size() + 511) / 512 * 512);
  }
  // The loaded components are the signed bytes only: the original files, trailer cut.
  std::string signed_kernel = test::slurp(dir / "vmlinuz");
  EXPECT_EQ(c[6].loaded, signed_kernel.substr(0, 65536));
  EXPECT_EQ(c[3].loaded, test::slurp(dir / "stage3.bin").substr(0, 16384));
  EXPECT_EQ(c[9].loaded.substr(0, 5000), test::slurp(dir / "initrd.img").substr(0, 5000));
  // Stage 3 parameters use the file sizes as stat'ed (signature included), like zipl.
  EXPECT_EQ(test::be(c[4].loaded, 0x30, 8), signed_kernel.size());
}

TEST_F(Mkdisk, SecureZeroWritesNoSignaturesButStillStripsTrailers) {
  sign("stage3.bin");
  sign("vmlinuz");
  auto r = mkdisk({"--secure", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto walk = test::walk_zipl_disk(test::slurp(dir / "disk.img"), 512);
  const auto& c = walk.programs.at(0).components;
  ASSERT_EQ(c.size(), 6u);
  for (const auto& x : c) EXPECT_NE(x.type, 3);
  EXPECT_EQ(c[2].loaded.size(), 16384u);
  EXPECT_EQ(c[4].loaded.size(), 65536u);
}

TEST_F(Mkdisk, SecureOneFailsForUnsignedStage3AndKernelWithZiplsMessage) {
  auto r = mkdisk({"--secure", "1"});
  EXPECT_EQ(r.exit_code, 3);  // bad input (spec README), not a usage error
  EXPECT_EQ(r.err, "sipl: error: Could not install Secure Boot IPL records: Missing signature in internal loader file " +
                       (dir / "stage3.bin") + "\n");
  sign("stage3.bin");
  r = mkdisk({"--secure", "1", "--initrd", dir / "initrd.img"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: Could not install Secure Boot IPL records: Missing signature in image file " +
                       (dir / "vmlinuz") + "\n");
  // An unsigned initrd is accepted, as zipl does.
  sign("vmlinuz");
  r = mkdisk({"--secure", "1", "--initrd", dir / "initrd.img"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::ifstream(dir / "disk.img.sipl-XXXXXX"));
}

TEST_F(Mkdisk, MalformedSignatureTrailerIsBadInput) {
  // Marker present, descriptor says id_type 1 (X.509), which neither zipl nor sipl accepts.
  sh("printf '\\000\\000\\001\\000\\000\\000\\000\\000\\000\\000\\000\\020' >> vmlinuz && "
     "printf '~Module signature appended~\\n' >> vmlinuz");
  auto r = mkdisk({});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.rfind("sipl: error: " + (dir / "vmlinuz") + ": byte 65538: ", 0), 0u) << r.err;
  EXPECT_FALSE(std::ifstream(dir / "disk.img"));
}

TEST_F(Mkdisk, DryRunWritesNothing) {
  auto r = mkdisk({"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::ifstream(dir / "disk.img"));
  EXPECT_NE(r.out.find("dry run, nothing written: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[ 5] EXECUTE   psw 0x000800008000a000"), std::string::npos) << r.out;
  sh("head -c 1048576 /dev/zero > disk.img && echo keep | dd of=disk.img bs=1 seek=4096 conv=notrunc status=none");
  std::string before = test::slurp(dir / "disk.img");
  r = mkdisk({"--dry-run", "--offset", "1M", "--size", "2M", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::slurp(dir / "disk.img"), before);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 2);
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_EQ(j["first_block"], 2048);
  const auto& comps = j["entries"][0]["components"];
  EXPECT_EQ(comps.back()["type"], "exec");
  EXPECT_EQ(comps.back()["psw"], "0x000800008000a000");
  // Stage 3 enters the kernel at 0x10000, as zipl's stage 3 parameters say on the corpus disks
  // (tests/image/bootmap_writer_test.cc checks the same quadword on the bytes).
  EXPECT_EQ(j["entries"][0]["stage3_parameters"]["load_psw"], "0x0008000080010000");
}

TEST_F(Mkdisk, NewImageIsJustBigEnoughRoundedToOneMiB) {
  auto r = mkdisk({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::slurp(dir / "disk.img").size(), 1048576u);
  r = mkdisk({"--size", "100000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --size 100000 must be a multiple of the block size 512\n");
}

TEST_F(Mkdisk, OffsetRefusesBlocksThatHoldDataUnlessForced) {
  sh("head -c 4194304 /dev/zero > disk.img && printf 'data' | dd of=disk.img bs=1 seek=$((2048*512+100*512)) "
     "conv=notrunc status=none");
  std::string before = test::slurp(dir / "disk.img");
  auto r = mkdisk({"--offset", "1M"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "disk.img") +
                       ": block 2148: holds data, and the layout needs blocks 2048..2255; "
                       "choose another --offset or pass --force to overwrite it\n");
  EXPECT_EQ(test::slurp(dir / "disk.img"), before);
  r = mkdisk({"--offset", "1M", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto walk = test::walk_zipl_disk(test::slurp(dir / "disk.img"), 512);
  ASSERT_EQ(walk.error, "");
  EXPECT_GE(walk.program_table_block, 2048u);
  EXPECT_EQ(test::slurp(dir / "disk.img").size(), 4194304u);
}

TEST_F(Mkdisk, KeepsTheDosPartitionTableAndRefusesToWriteIntoAPartition) {
  // A real DOS label from sfdisk: partition 1 from sector 2048 to the end (as the corpus disks).
  sh("truncate -s 8M disk.img && echo 'label: dos' > t && echo 'start=2048, type=83' >> t && "
     "sfdisk -q disk.img < t");
  std::string before = test::slurp(dir / "disk.img");
  ASSERT_EQ(before.substr(510, 2), "\x55\xAA");
  auto r = mkdisk({"--offset", "1M"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "disk.img") +
                       ": the layout (bytes 1048576..1155071) overlaps DOS partition 1 (bytes 1048576..8388607); "
                       "choose another --offset or pass --force to overwrite it\n");
  // The gap before the partition holds the layout (blocks 1..208).
  r = mkdisk({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string after = test::slurp(dir / "disk.img");
  EXPECT_EQ(after.substr(0, 4), "zIPL");
  EXPECT_EQ(after.substr(0x98, 512 - 0x98), before.substr(0x98, 512 - 0x98));  // bytes 152..511 kept
  EXPECT_EQ(after.substr(1048576), before.substr(1048576));
  auto parts = test::sh("sfdisk -d '" + (dir / "disk.img") + "'");
  EXPECT_NE(parts.out.find("start=        2048, size=       14336, type=83"), std::string::npos) << parts.out;
}

TEST_F(Mkdisk, MenuEntriesAndUsageErrors) {
  auto r = mkdisk({"--entry", "rescue:kernel=" + (dir / "vmlinuz") + ",parmline=console=ttyS0,115200 single",
                   "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto walk = test::walk_zipl_disk(test::slurp(dir / "disk.img"), 512);
  ASSERT_EQ(walk.programs.size(), 3u);  // entry 0 (default), 1 (default), 2 (rescue)
  EXPECT_EQ(walk.programs[2].components.at(5).loaded.substr(0, 29), std::string("console=ttyS0,115200 single\0\0", 29));
  r = test::run_sipl({"mkdisk", "-o", dir / "x.img", "--stage3", dir / "stage3.bin", "--entry", "bad"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --entry 'bad': expected NAME:kernel=FILE[,initrd=FILE][,parmline=TEXT]\n");
  // CLI11 refuses a --secure other than zipl's three spellings, naming them.
  r = mkdisk({"--secure", "yes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --secure: yes not in {auto,1,0}\nsipl: note: see sipl mkdisk --help\n");
  r = mkdisk({"--block-size", "1024"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --block-size: 1024 not in {512,4096}\nsipl: note: see sipl mkdisk --help\n");
  r = test::run_sipl({"mkdisk", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:\n  # Write a secure boot disk from a signed stage 3 and kernel\n"
                      "  sipl mkdisk -o disk.img"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace sipl

namespace sipl {
namespace {

// -f qcow2: QEMU's tools judge the image, against the raw image of the same inputs.
TEST_F(Mkdisk, Qcow2IsCleanForQemuImgAndIdenticalToTheRawImage) {
  sign("stage3.bin");
  sign("vmlinuz");
  auto raw = mkdisk({"--initrd", dir / "initrd.img", "--parmline", "root=/dev/vda1", "--size", "3M"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  auto q = test::run_sipl_json({"mkdisk", "-f", "qcow2", "-o", dir / "disk.qcow2", "--stage3", dir / "stage3.bin",
                                "--kernel", dir / "vmlinuz", "--initrd", dir / "initrd.img", "--parmline",
                                "root=/dev/vda1", "--size", "3M", "--json"});
  ASSERT_EQ(q.run.exit_code, 0) << q.run.err;
  const auto j = nlohmann::json::parse(q.run.out);
  EXPECT_EQ(j["format"], "qcow2");
  EXPECT_EQ(j["size"], 3 << 20);
  EXPECT_EQ(j["updated_existing"], false);

  auto check = test::sh("qemu-img check --output=json -f qcow2 '" + (dir / "disk.qcow2") + "'");
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  const auto c = nlohmann::json::parse(check.out);
  EXPECT_EQ(c["check-errors"], 0) << check.out;
  EXPECT_FALSE(c.contains("leaks")) << check.out;
  EXPECT_FALSE(c.contains("corruptions")) << check.out;
  // Only the layout's clusters: blocks 0..end_block-1 of 512 bytes, in 64 KiB clusters.
  EXPECT_EQ(c["allocated-clusters"], (j["end_block"].get<uint64_t>() * 512 + 65535) / 65536) << check.out;
  auto cmp = test::sh("qemu-img compare -f raw -F qcow2 '" + (dir / "disk.img") + "' '" + (dir / "disk.qcow2") + "'");
  EXPECT_EQ(cmp.exit_code, 0) << cmp.out << cmp.err;
  EXPECT_EQ(cmp.out, "Images are identical.\n");
  auto info = test::sh("qemu-img info --output=json '" + (dir / "disk.qcow2") + "'");
  EXPECT_EQ(nlohmann::json::parse(info.out)["format-specific"]["data"]["compat"], "1.1") << info.out;

  // sipl reads both the same way.
  auto ir = test::run_sipl_json({"inspect", "--json", dir / "disk.img"});
  auto iq = test::run_sipl_json({"inspect", "--json", dir / "disk.qcow2"});
  ASSERT_EQ(iq.run.exit_code, 0) << iq.run.err;
  EXPECT_EQ(nlohmann::json::parse(iq.run.out)["programs"], nlohmann::json::parse(ir.run.out)["programs"]);
  EXPECT_EQ(q.run.out.find("\"raw\""), std::string::npos);
  auto text = test::run_sipl({"mkdisk", "-f", "qcow2", "-o", dir / "t.qcow2", "--stage3", dir / "stage3.bin",
                              "--kernel", dir / "vmlinuz", "--dry-run"});
  EXPECT_EQ(text.out.rfind("dry run, nothing written: " + (dir / "t.qcow2") + ": qcow2 image, 1048576 bytes, ", 0), 0u)
      << text.out;
}

TEST_F(Mkdisk, UpdatingAQcow2ImageIsRefusedAndLeavesItAlone) {
  auto r = mkdisk({"--size", "2M"});  // disk.img, raw
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string raw_before = test::slurp(dir / "disk.img");
  r = mkdisk({"-f", "qcow2"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "disk.img") +
                       ": exists; -f qcow2 writes new images only (updating a qcow2 image in place is not supported "
                       "yet): remove it or choose another -o\n");
  EXPECT_EQ(test::slurp(dir / "disk.img"), raw_before);

  sh("qemu-img create -q -f qcow2 disk.img 8M");
  const std::string q_before = test::slurp(dir / "disk.img");
  r = mkdisk({"--json"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "disk.img") +
                       ": is a qcow2 image; sipl mkdisk updates raw images only (updating a qcow2 image in place is "
                       "not supported yet): write a new image with -f qcow2, or convert this one with qemu-img "
                       "convert -O raw\n");
  EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["code"], "unsupported");
  EXPECT_EQ(test::slurp(dir / "disk.img"), q_before);
  r = mkdisk({"-f", "vmdk"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sipl: error: --format: vmdk not in {raw,qcow2}\nsipl: note: see sipl mkdisk --help\n");
}

// An update copies only the existing image's data extents (holes stay holes) and writes the
// layout: a mostly empty 64 MiB image stays mostly unallocated.
TEST_F(Mkdisk, UpdatingARawImageKeepsItsHolesAndItsData) {
  sh("truncate -s 64M disk.img && printf 'tail data' | dd of=disk.img bs=1 seek=$((48*1048576)) conv=notrunc "
     "status=none");
  auto r = mkdisk({"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["updated_existing"], true);
  const std::string after = test::slurp(dir / "disk.img");
  ASSERT_EQ(after.size(), 64u << 20);
  EXPECT_EQ(after.substr(48 << 20, 9), "tail data");
  EXPECT_EQ(after.substr(0, 4), "zIPL");
  auto blocks = test::sh("stat -c %b '" + (dir / "disk.img") + "'");
  // 512-byte units allocated: the ~90 KiB layout and the block holding "tail data", not 64 MiB.
  EXPECT_LT(std::stoull(blocks.out), 2048u) << blocks.out;
}

}  // namespace
}  // namespace sipl
