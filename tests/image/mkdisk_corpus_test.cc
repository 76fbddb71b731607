// `sipl mkdisk` against real zipl 2.16 disks (corpus/disks): the component bytes are cut out
// of each corpus disk (dd over the extents listed in *.layout.txt, and the test-side walker
// for the multi-extent ones), handed to mkdisk with zipl's arguments from *.zipl.log, and the
// disk mkdisk writes must have the same logical structure as the one zipl wrote: component
// order, types, load addresses, loaded lengths, PSW, signature entries and the stage 3
// parameter block, byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "sipl/fw/boot_record.h"
#include "sipl/image/boot_disk_writer.h"
#include "sipl/image/disk_image.h"
#include "support/test_data.h"
#include "support/run.h"
#include "support/zipl_walk.h"

namespace sipl {
namespace {

const std::string kParmline = "console=ttysclp0 rdinit=/init";

// Writes the disk as `sipl mkdisk -o OUT --stage3 S --kernel K --initrd I --parmline ... --secure M`.
Result<image::DiskWriteResult> write_disk(const std::string& out, const std::string& stage3, const std::string& kernel,
                                          const std::string& initrd, image::SecureMode secure) {
  image::DiskRequest r;
  r.output = out;
  r.stage3 = stage3;
  r.entries.push_back({"default", kernel, initrd, kParmline});
  r.secure = secure;
  return image::write_boot_disk(r);
}

// Returns the first extent (block, blockct) of component `index` of the layout walk.
std::pair<uint64_t, uint64_t> layout_extent(const std::string& layout, int index) {
  std::regex re("\\[" + std::to_string(index) + "\\] [A-Z]+ .*first extents \\[\\((\\d+), 512, (\\d+)\\)");
  std::smatch m;
  if (!std::regex_search(layout, m, re)) return {0, 0};
  return {std::stoull(m[1]), std::stoull(m[2])};
}

// The appended-signature trailer of sign-file (Linux scripts/sign-file.c,
// include/linux/module_signature.h), written out here.
std::string trailer(size_t sig_len) {
  std::string d("\x00\x00\x02\x00\x00\x00\x00\x00", 8);
  for (int i = 3; i >= 0; --i) d += static_cast<char>((sig_len >> (8 * i)) & 0xFF);
  return d + "~Module signature appended~\n";
}

std::string fmt_dd(const std::string& img, uint64_t skip, uint64_t count, const std::string& out) {
  return "dd if='" + img + "' of='" + out + "' bs=512 skip=" + std::to_string(skip) + " count=" + std::to_string(count) +
         " status=none";
}

void write_bin(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class MkdiskCorpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    // Decompressed once into the shared test cache (support/corpus_disks), never committed.
    for (const char* name : {"disk-a-unsigned", "disk-b-secure"}) {
      std::string img = test::corpus_disk(name);
      ASSERT_FALSE(img.empty());
      auto r = test::sh("ln -s '" + img + "' '" + (*dir_ / name) + ".img'");
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(const std::string& n) { return *dir_ / n; }

  // Compares the logical structure of two walked disks; `loose` lists components whose
  // block padding may differ (zipl references files in place, so its padding holds whatever
  // follows in the file: for a signed initrd, the start of the signature).
  static void expect_same_structure(const test::WalkedDisk& want, const test::WalkedDisk& got,
                                    std::vector<size_t> loose = {}) {
    ASSERT_EQ(want.error, "");
    ASSERT_EQ(got.error, "");
    ASSERT_EQ(got.programs.size(), want.programs.size());
    for (size_t i = 0; i < 31; ++i) EXPECT_EQ(got.program_entries[i] != 0, want.program_entries[i] != 0) << i;
    const auto& w = want.programs[0].components;
    const auto& g = got.programs[0].components;
    ASSERT_EQ(g.size(), w.size());
    EXPECT_EQ(got.programs[0].header_type, want.programs[0].header_type);
    for (size_t k = 0; k < w.size(); ++k) {
      SCOPED_TRACE("component " + std::to_string(k));
      EXPECT_EQ(g[k].type, w[k].type);
      EXPECT_EQ(g[k].compdat, w[k].compdat);
      EXPECT_EQ(g[k].loaded.size(), w[k].loaded.size());
      if (std::find(loose.begin(), loose.end(), k) == loose.end()) {
        EXPECT_TRUE(g[k].loaded == w[k].loaded);
      }
      // Pointer size field 512 (02 00), or an all-zero pointer for EXECUTE.
      EXPECT_EQ(g[k].raw.substr(8, 2), w[k].type == 1 ? std::string(2, '\0') : std::string("\x02\x00", 2));
    }
  }

  // Re-creates the signed files zipl was given for disk-b: loaded payload + DER from the
  // SIGNATURE component (its length from the entry's compdat) + the sign-file trailer.
  static void signed_inputs_from_disk_b(test::WalkedDisk& want, std::string& initrd_payload) {
    want = test::walk_zipl_disk(test::slurp(path("disk-b-secure.img")), 512);
    ASSERT_EQ(want.error, "");
    const auto& w = want.programs.at(0).components;
    ASSERT_EQ(w.size(), 11u);
    auto sig = [&](size_t k) { return w[k].loaded.substr(0, w[k].compdat & 0xFFFFFFFF); };
    const uint64_t initrd_len = test::be(w[4].loaded, 0x10, 8);  // 803043, signature included
    initrd_payload = w[9].loaded.substr(0, initrd_len - sig(8).size() - 40);
    write_bin(path("stage3.signed"), w[3].loaded + sig(2) + trailer(sig(2).size()));
    write_bin(path("vmlinuz.signed"), w[6].loaded + sig(5) + trailer(sig(5).size()));
    write_bin(path("initrd.signed"), initrd_payload + sig(8) + trailer(sig(8).size()));
    ASSERT_EQ(test::slurp(path("initrd.signed")).size(), 803043u);
    ASSERT_EQ(test::slurp(path("vmlinuz.signed")).size(), 5067211u);
  }

  static test::TempDir* dir_;
};
test::TempDir* MkdiskCorpus::dir_ = nullptr;

TEST_F(MkdiskCorpus, RebuildsUnsignedDiskA) {
  const std::string img = path("disk-a-unsigned.img");
  const std::string layout = test::slurp(test::corpus_layout("disk-a-unsigned"));
  // dd the components out of the zipl disk by the extents its layout walk lists.
  auto stage3 = layout_extent(layout, 2), kernel = layout_extent(layout, 4), initrd = layout_extent(layout, 6);
  ASSERT_EQ(stage3, (std::pair<uint64_t, uint64_t>{20044, 31}));
  auto dd = [&](std::pair<uint64_t, uint64_t> x, const std::string& out, uint64_t bytes) {
    auto r = test::sh(fmt_dd(img, x.first, x.second + 1, out) + " && truncate -s " + std::to_string(bytes) + " '" + out + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  dd(stage3, path("stage3.bin"), 16384);
  dd(kernel, path("vmlinuz"), 5066752);
  dd(initrd, path("initrd.img"), 802584);  // initrd_len of the stage 3 parameters: 0xc3f18

  auto r = write_disk(path("a-out.img"), path("stage3.bin"), path("vmlinuz"), path("initrd.img"), image::SecureMode::kOff);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->bootmap.warnings, std::vector<std::string>{});
  auto want = test::walk_zipl_disk(test::slurp(img), 512);
  auto got = test::walk_zipl_disk(test::slurp(path("a-out.img")), 512);
  expect_same_structure(want, got);
  // Spot checks against the numbers in disk-a-unsigned.zipl.log / layout.txt.
  const auto& g = got.programs[0].components;
  ASSERT_EQ(g.size(), 8u);
  EXPECT_EQ(g[5].compdat, 0x4e5000u);
  EXPECT_EQ(g[6].compdat, 0x4f0000u);
  EXPECT_EQ(g[7].compdat, 0x000800008000a000u);
  EXPECT_EQ(test::be(g[3].loaded, 0x30, 8), 0x4d5000u);  // image_len
}

TEST_F(MkdiskCorpus, RebuildsSignedDiskBWithSecureOne) {
  test::WalkedDisk want;
  std::string initrd_payload;
  signed_inputs_from_disk_b(want, initrd_payload);
  ASSERT_FALSE(HasFatalFailure());
  auto r = write_disk(path("b-out.img"), path("stage3.signed"), path("vmlinuz.signed"), path("initrd.signed"),
                      image::SecureMode::kOn);
  ASSERT_TRUE(r) << r.error().to_string();
  // zipl 2.16's stage 3 has no SCLAB (console/b-secure-right.log stops at it); the corpus
  // kernel (6.1.176) does end in the kernel's 32-byte trailer "...0020 zIPL", so no hint for
  // it. Then zipl's own warning (disk-b-secure.zipl.log), with sipl's prefix.
  const std::string no_sclab = " is signed but has no SCLAB (Magic does not match. SCLAB does not exist): QEMU's "
                               "secure-boot=on will stop at it, audit mode only warns; re-sign it with one: "
                               "sipl sign --resign --sclab ";
  // The signed initrd has none either: b-audit-right.log shows the BIOS's "Magic does not
  // match" warning for it (the fourth component line), so mkdisk says so for it too.
  EXPECT_EQ(r->bootmap.warnings,
            (std::vector<std::string>{path("stage3.signed") + no_sclab + "global --psw 0x000800008000a000 --load-addr 0xa000 ...",
                                      "Size of signed file " + path("initrd.signed") +
                                          " is not a multiple of the disk block size",
                                      path("initrd.signed") + no_sclab + "plain ..."}));
  auto got = test::walk_zipl_disk(test::slurp(path("b-out.img")), 512);
  expect_same_structure(want, got, {9});
  const auto& g = got.programs[0].components;
  EXPECT_EQ(g[9].loaded.substr(0, initrd_payload.size()), initrd_payload);
  EXPECT_EQ(g[9].loaded.substr(initrd_payload.size()), std::string(802816 - initrd_payload.size(), '\0'));
  // SIGNATURE compdat: format 1, 3 zero bytes, length 419 (layout.txt: 01000000000001a3).
  for (size_t k : {2u, 5u, 8u}) EXPECT_EQ(g[k].compdat, 0x01000000000001a3u) << k;
  EXPECT_EQ(g[7].compdat, 0x4e6000u);  // parmline after the stat size 5067211, page aligned

  // The read side (fw::load_program, another helper's BIOS-order walk) agrees.
  auto disk = image::DiskImage::open(path("b-out.img"), 512);
  ASSERT_TRUE(disk) << disk.error().to_string();
  auto map = fw::read_boot_map(*disk);
  ASSERT_TRUE(map) << map.error().to_string();
  auto prog = fw::load_program(*disk, *map, 0);
  ASSERT_TRUE(prog) << prog.error().to_string();
  ASSERT_EQ(prog->components.size(), 11u);
  EXPECT_EQ(prog->exec().address, 0x000800008000a000u);
  EXPECT_EQ(prog->components[6].address, 0x10000u);
  ASSERT_TRUE(prog->components[5].signature.has_value());
  EXPECT_EQ(prog->components[5].signature->length, 419u);
}

// The real end-to-end check: the disk mkdisk writes from disk-b's signed stage 3, kernel and
// initrd boots in qemu-system-s390x (Debian 12's QEMU 7.2 under TCG, normal mode: its BIOS
// skips SIGNATURE entries), stage 3 hands over the parmline and initrd, and the kernel starts.
TEST_F(MkdiskCorpus, SignedRebuildBootsInQemuSystemS390x) {
  if (test::sh("command -v qemu-system-s390x").exit_code != 0)
    GTEST_SKIP() << "qemu-system-s390x is not installed (Debian package qemu-system-s390x)";
  test::WalkedDisk want;
  std::string initrd_payload;
  signed_inputs_from_disk_b(want, initrd_payload);
  ASSERT_FALSE(HasFatalFailure());
  auto r = write_disk(path("boot.img"), path("stage3.signed"), path("vmlinuz.signed"), path("initrd.signed"),
                      image::SecureMode::kAuto);
  ASSERT_TRUE(r) << r.error().to_string();
  // The corpus initrd powers the machine off once it runs; -no-reboot ends QEMU then.
  auto q = test::sh("timeout 110 qemu-system-s390x -machine s390-ccw-virtio -nographic -m 512 -no-reboot "
                    "-drive file='" + path("boot.img") + "',format=raw,if=none,id=d "
                    "-device virtio-blk-ccw,drive=d,bootindex=1 > '" + path("console.log") + "' 2>&1");
  std::string console = test::slurp(path("console.log"));
  EXPECT_NE(console.find("Linux version 6.1.0-50-s390x"), std::string::npos) << console;
  EXPECT_NE(console.find("Kernel command line: console=ttysclp0 rdinit=/init"), std::string::npos) << console;
  EXPECT_NE(console.find("Run /init as init process"), std::string::npos) << console;
}

}  // namespace
}  // namespace sipl
