// MappedFile::read_at: the pread path DIAG 0x508 streams components through.
#include <gtest/gtest.h>

#include <unistd.h>

#include "sipl/base/file.h"
#include "support/run.h"

namespace sipl {
namespace {

TEST(MappedFileReadAt, ReadsTheSameBytesAsTheMapping) {
  test::TempDir dir;
  std::string content;
  for (int i = 0; i < 300000; ++i) content += static_cast<char>(i * 31 % 251);
  test::write_text(dir / "f", content);
  auto f = MappedFile::open(dir / "f");
  ASSERT_TRUE(f) << f.error().to_string();
  Bytes out(100000);
  ASSERT_TRUE(f->read_at(123457, out));
  EXPECT_EQ(to_string(out), content.substr(123457, 100000));
  EXPECT_TRUE(std::equal(out.begin(), out.end(), f->bytes().begin() + 123457));
}

TEST(MappedFileReadAt, AFileThatShrankWhileOpenIsAnErrorNamingTheOffset) {
  test::TempDir dir;
  test::write_text(dir / "f", std::string(8192, 'x'));
  auto f = MappedFile::open(dir / "f");
  ASSERT_TRUE(f);
  ASSERT_EQ(::truncate((dir / "f").c_str(), 5000), 0);
  Bytes out(4096);
  auto r = f->read_at(4096, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_EQ(r.error().to_string(), dir / "f" + ": byte 5000: file ends before byte 5000 (it shrank while open)");
}

}  // namespace
}  // namespace sipl
