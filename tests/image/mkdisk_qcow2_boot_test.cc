// `sipl mkdisk -f qcow2` end to end in Debian's QEMU: the qcow2 disk written from corpus disk-a's
// stage 3, kernel and initrd (cut out by the test-only walker) must boot in qemu-system-s390x
// exactly as MkdiskCorpus.SignedRebuildBootsInQemuSystemS390x boots the raw one (normal mode, TCG,
// the same console lines), and pass `qemu-img check`.
#include <gtest/gtest.h>

#include <fstream>

#include "support/run.h"
#include "support/test_data.h"
#include "support/zipl_walk.h"

namespace sipl {
namespace {

void write_bin(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(MkdiskQcow2, BootsInQemuSystemS390xAsTheRawDiskDoes) {
  if (test::sh("command -v qemu-system-s390x").exit_code != 0)
    GTEST_SKIP() << "qemu-system-s390x is not installed (Debian package "
                    "qemu-system-s390x)";
  const std::string img = test::corpus_disk("disk-a-unsigned");
  ASSERT_FALSE(img.empty());
  test::TempDir dir;
  // disk-a: [2] stage 3, [3] its parameters (image_len at 0x30, initrd_len at 0x10), [4] kernel,
  // [6] initrd.
  auto walk = test::walk_zipl_disk(test::slurp(img), 512);
  ASSERT_EQ(walk.error, "");
  const auto& c = walk.programs.at(0).components;
  ASSERT_EQ(c.size(), 8u);
  write_bin(dir / "stage3.bin", c[2].loaded);
  write_bin(dir / "vmlinuz", c[4].loaded.substr(0, test::be(c[3].loaded, 0x30, 8)));
  write_bin(dir / "initrd.img", c[6].loaded.substr(0, test::be(c[3].loaded, 0x10, 8)));
  auto r =
      test::run_sipl({"mkdisk", "-f", "qcow2", "-o", dir / "boot.qcow2", "--stage3", dir / "stage3.bin", "--kernel",
                      dir / "vmlinuz", "--initrd", dir / "initrd.img", "--parmline", "console=ttysclp0 rdinit=/init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto check = test::sh("qemu-img check -f qcow2 '" + (dir / "boot.qcow2") + "'");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out.rfind("No errors were found on the image.\n", 0), 0u) << check.out;

  // The corpus initrd powers the machine off once it runs; -no-reboot ends QEMU then.
  test::sh(
      "timeout 110 qemu-system-s390x -machine s390-ccw-virtio -nographic "
      "-m 512 -no-reboot "
      "-drive file='" +
      (dir / "boot.qcow2") +
      "',format=qcow2,if=none,id=d "
      "-device virtio-blk-ccw,drive=d,bootindex=1 > '" +
      (dir / "console.log") + "' 2>&1");
  const std::string console = test::slurp(dir / "console.log");
  EXPECT_NE(console.find("Linux version 6.1.0-50-s390x"), std::string::npos) << console;
  EXPECT_NE(console.find("Kernel command line: console=ttysclp0 rdinit=/init"), std::string::npos) << console;
  EXPECT_NE(console.find("Run /init as init process"), std::string::npos) << console;
}

}  // namespace
}  // namespace sipl
