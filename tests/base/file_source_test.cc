// FileSource and write_range: the pread source every disk and mkdisk input is read through,
// and the copy that takes component bytes into an image (copy_file_range or pread/pwrite).
#include "sipl/base/file_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/run.h"

namespace sipl {
namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 4099) % 251);
  return s;
}

TEST(FileSource, ReadsAtAnOffsetAndNamesTheOffsetWhenTheFileShrank) {
  test::TempDir dir;
  const std::string content = pattern(300000);
  test::write_text(dir / "f", content);
  auto f = FileSource::open(dir / "f");
  ASSERT_TRUE(f) << f.error().to_string();
  EXPECT_EQ((*f)->size(), 300000u);
  Bytes out(100000);
  ASSERT_TRUE((*f)->read(123457, out));
  EXPECT_EQ(to_string(out), content.substr(123457, 100000));
  ASSERT_EQ(::truncate((dir / "f").c_str(), 150000), 0);
  auto r = (*f)->read(100000, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), dir / "f" + ": byte 150000: file ends before byte 150000 (it shrank while open)");
}

TEST(FileSource, RefusesDirectoriesAndFifosWithoutBlocking) {
  test::TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  auto fifo = FileSource::open(dir / "fifo");
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().to_string(), dir / "fifo" + ": not a regular file");
  auto d = FileSource::open(dir.path());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().to_string(), dir.path() + ": not a regular file");
  auto missing = FileSource::open(dir / "gone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().to_string(), dir / "gone" + ": cannot open: No such file or directory");
}

// Both copy paths put the same bytes at the same place, for ranges larger than one 1 MiB
// piece, page-aligned (copy_file_range) and shifted by part of a page (pread/pwrite), from
// files and from memory.
TEST(WriteRange, CopyFileRangeAndReadWriteGiveTheSameBytes) {
  test::TempDir dir;
  const std::string content = pattern(3 * (1 << 20) + 12345);
  test::write_text(dir / "in", content);
  auto in = FileSource::open(dir / "in");
  ASSERT_TRUE(in);
  for (CopyMethod m : {CopyMethod::kAuto, CopyMethod::kReadWrite}) {
    const std::string out = dir / (m == CopyMethod::kAuto ? "auto" : "rw");
    const int fd = ::open(out.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(write_range(fd, 8192, {*in, 4096, (2 << 20) - 4096}, out, m));                   // aligned
    ASSERT_TRUE(write_range(fd, (2 << 20) + 4096 + 1001, {*in, 77, (1 << 20) + 9000}, out, m));  // shifted
    ASSERT_TRUE(write_range(fd, 0, own(Bytes(1001, std::byte{'A'})), out, m));
    ::close(fd);
    const std::string want = std::string(1001, 'A') + std::string(8192 - 1001, '\0') +
                             content.substr(4096, (2 << 20) - 4096) + std::string(1001, '\0') +
                             content.substr(77, (1 << 20) + 9000);
    EXPECT_TRUE(test::read_text(out) == want) << out;
  }
}

TEST(WriteRange, ASourceThatShrankIsAnErrorNamingTheSourceOffset) {
  test::TempDir dir;
  test::write_text(dir / "in", pattern(2 << 20));
  auto in = FileSource::open(dir / "in");
  ASSERT_TRUE(in);
  ASSERT_EQ(::truncate((dir / "in").c_str(), 1 << 20), 0);
  for (CopyMethod m : {CopyMethod::kAuto, CopyMethod::kReadWrite}) {
    const int fd = ::open((dir / "out").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    auto r = write_range(fd, 0, whole(*in), dir / "out", m);
    ::close(fd);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().to_string(),
              dir / "in" + ": byte 1048576: file ends before byte 1048576 (it shrank while open)");
  }
}

}  // namespace
}  // namespace sipl
