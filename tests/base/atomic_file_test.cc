#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "sipl/base/file.h"
#include "support/run.h"

namespace sipl {
namespace {

size_t entries(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, AbandonedFileLeavesNothingBehind) {
  test::TempDir t;
  test::write_text(t / "out", "old");
  {
    auto f = AtomicFile::create(t / "out");
    ASSERT_TRUE(f);
    ASSERT_EQ(::write(f->fd(), "new", 3), 3);
    EXPECT_EQ(entries(t.path()), 2u);  // the target and the temporary file
  }
  EXPECT_EQ(entries(t.path()), 1u);
  EXPECT_EQ(test::read_text(t / "out"), "old");
}

TEST(AtomicFile, CommitReplacesWithMode) {
  test::TempDir t;
  ASSERT_TRUE(write_file_atomic(t / "out", as_bytes("hello"), 0600));
  EXPECT_EQ(test::read_text(t / "out"), "hello");
  struct stat st {};
  ASSERT_EQ(::stat((t / "out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(entries(t.path()), 1u);
}

TEST(AtomicFile, MissingDirectoryNamesThePath) {
  test::TempDir t;
  auto r = write_file_atomic(t / "no/such/out", as_bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), t / "no/such/out" + std::string(": cannot create temporary file: No such file or directory"));
}

TEST(AtomicFile, RenameOntoADirectoryFailsAndCleansUp) {
  test::TempDir t;
  std::filesystem::create_directories(t / "out/inner");
  auto r = write_file_atomic(t / "out", as_bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), t / "out" + std::string(": cannot rename into place: Is a directory"));
  EXPECT_EQ(entries(t.path()), 1u);
}

}  // namespace
}  // namespace sipl
