// Real hosts' storage: a loop device stands in for an LVM volume or a multipath LUN. Reading it
// (DiskImage, `sipl inspect`, `sipl boot`) must give what reading the same bytes from a file
// gives; its size and logical block size are the kernel's (`blockdev --getsize64/--getss`);
// `sipl mkdisk` writes it only with --force, in place, the same bytes it writes to a file.
// Needs root and a free loop device; skipped otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include "sipl/fw/boot_record.h"
#include "sipl/image/disk_image.h"
#include "support/run.h"
#include "support/test_data.h"

namespace sipl {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A loop device over a file, detached on destruction.
class LoopDevice {
 public:
  LoopDevice(const std::string& file, bool read_only) {
    auto r = test::sh("losetup --find --show " + std::string(read_only ? "--read-only " : "") + "'" + file + "' 2>&1");
    if (r.exit_code == 0) path_ = trimmed(r.out);
    else why_ = trimmed(r.out);
  }
  ~LoopDevice() {
    if (!path_.empty()) test::sh("losetup -d " + path_);
  }
  const std::string& path() const { return path_; }
  const std::string& why() const { return why_; }

 private:
  std::string path_, why_;
};

#define NEED_LOOP(dev)                                                                              \
  if (getuid() != 0) GTEST_SKIP() << "needs root to attach a loop device (losetup); run ctest as root"; \
  if ((dev).path().empty()) GTEST_SKIP() << "no loop device available: " << (dev).why()

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

TEST(BlockDevice, ALoopDeviceReadsLikeTheImageFileItHolds) {
  test::TempDir dir;
  const std::string file = dir / "h.img";
  ASSERT_EQ(test::sh("cp '" + test::corpus_disk("disk-h-sipl-secure") + "' '" + file + "'").exit_code, 0);
  LoopDevice dev(file, true);
  NEED_LOOP(dev);
  auto img = image::DiskImage::open(dev.path());
  ASSERT_TRUE(img) << img.error().to_string();
  EXPECT_EQ(std::to_string(img->size()), trimmed(test::sh("blockdev --getsize64 " + dev.path()).out));
  EXPECT_EQ(std::to_string(img->device_block_size()), trimmed(test::sh("blockdev --getss " + dev.path()).out));
  auto map = fw::read_boot_map(*img);
  ASSERT_TRUE(map) << map.error().to_string();

  // `sipl inspect` and `sipl boot` say the same about the device as about the file.
  for (std::vector<std::string> verb : {std::vector<std::string>{"inspect", "--json"},
                                        std::vector<std::string>{"boot", "--json", "--at", "2026-07-03T00:00:00Z",
                                                                 "--boot-certs", test::corpus_cert("rsa4096.pem"),
                                                                 "--boot-certs", test::corpus_cert("rsa2048.pem"),
                                                                 "--boot-certs", test::corpus_cert("ecp256.pem"),
                                                                 "--secure-boot", "on", "--disk"}}) {
    auto on_file = verb, on_dev = verb;
    on_file.push_back(file);
    on_dev.push_back(dev.path());
    auto a = test::run_sipl(on_file), b = test::run_sipl(on_dev);
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(b.exit_code, a.exit_code) << b.err;
    EXPECT_EQ(replace_all(b.out, dev.path(), file), a.out) << verb[0];
  }
}

TEST(BlockDevice, MkdiskWritesADeviceInPlaceOnlyWithForce) {
  test::TempDir dir;
  ASSERT_EQ(test::sh("cd '" + dir.path() + "' && head -c 16384 /dev/urandom > stage3.bin && "
                     "head -c 65536 /dev/urandom > vmlinuz && truncate -s 8M dev.img && truncate -s 8M file.img")
                .exit_code,
            0);
  LoopDevice dev(dir / "dev.img", false);
  NEED_LOOP(dev);
  const std::vector<std::string> args{"mkdisk", "--stage3", dir / "stage3.bin", "--kernel", dir / "vmlinuz", "-o"};
  auto with = [&](std::vector<std::string> a, const std::string& out, bool force) {
    a.push_back(out);
    if (force) a.push_back("--force");
    return test::run_sipl(a);
  };
  auto r = with(args, dev.path(), false);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("is a block device: it is written in place"), std::string::npos) << r.err;
  EXPECT_EQ(test::sh("cmp '" + dir / "dev.img" + "' '" + dir / "file.img" + "'").exit_code, 0);  // untouched

  r = with(args, dev.path(), true);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = with(args, dir / "file.img", false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::sh("sync");
  auto c = test::sh("cmp '" + dev.path() + "' '" + dir / "file.img" + "'");
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  r = test::run_sipl({"inspect", dev.path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace sipl
