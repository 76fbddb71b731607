// The qcow2 v3 writer against QEMU's own tools: `qemu-img check` must find no errors and no leaks,
// `qemu-img info` must read the header as written, and `qemu-img compare` must find the image
// identical to a raw image holding the same bytes (built here by the test, byte by byte). Small
// clusters (512 bytes) make many L2 tables, refcount blocks and a two-cluster L1.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "sipl/base/file_source.h"
#include "sipl/image/disk_image.h"
#include "sipl/image/qcow2_image.h"
#include "support/must.h"
#include "support/run.h"

namespace sipl::image {
namespace {

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 7;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 23);
  }
  return s;
}

SourceRange src(const std::string& s) { return own(Bytes(as_bytes(s).begin(), as_bytes(s).end())); }

nlohmann::json qemu_json(const std::string& cmd) {
  auto r = test::sh(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

// Writes `writes` as qcow2 and as the test's own raw rendering, then holds the qcow2 against
// qemu-img check (no errors, no leaks, `data_clusters` allocated) and qemu-img compare.
void expect_clean_and_identical(const test::TempDir& dir, uint64_t size, const std::vector<ImageWrite>& writes,
                                uint32_t bits, uint64_t data_clusters) {
  const std::string q = dir / "t.qcow2", raw = dir / "t.raw";
  ASSERT_TRUE(write_qcow2_atomic(q, size, writes, bits));
  std::string want(size, '\0');
  for (const auto& w : writes) {
    auto data = read_all(w.data);
    ASSERT_TRUE(data);
    std::memcpy(want.data() + w.offset, data->data(), data->size());
  }
  test::write_text(raw, want);

  auto check = qemu_json("qemu-img check --output=json -f qcow2 '" + q + "'");
  EXPECT_EQ(check["check-errors"], 0) << check.dump();
  EXPECT_FALSE(check.contains("leaks")) << check.dump();
  EXPECT_FALSE(check.contains("corruptions")) << check.dump();
  EXPECT_EQ(check["allocated-clusters"], data_clusters) << check.dump();
  auto cmp = test::sh("qemu-img compare -f raw -F qcow2 '" + raw + "' '" + q + "'");
  EXPECT_EQ(cmp.exit_code, 0) << cmp.out << cmp.err;
  EXPECT_EQ(cmp.out, "Images are identical.\n");
  // sipl's own reader agrees with both.
  auto d = DiskImage::open(q);
  ASSERT_TRUE(d) << d.error().to_string();
  std::string got(size, '\0');
  ASSERT_TRUE(d->read(0, MutableByteSpan(reinterpret_cast<std::byte*>(got.data()), got.size())));
  EXPECT_TRUE(got == want);
}

TEST(Qcow2Writer, LayoutOfASmallImageAndQemuImgAgrees) {
  test::TempDir dir;
  // Guest clusters 0, 3 and 4 hold data; the padding of the second write allocates nothing.
  const std::string a = "abc", b = pattern(70000, 1);
  const std::vector<ImageWrite> writes = {{0, src(a), 512}, {3 * 65536 + 100, src(b), 131072}};
  auto l = plan_qcow2(1 << 20, writes);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->l1_entries, 1u);
  EXPECT_EQ(l->refcount_table, 1u);
  EXPECT_EQ(l->refcount_table_clusters, 1u);
  EXPECT_EQ(l->l1_table, 2u);
  EXPECT_EQ(l->refcount_blocks, 1u);
  EXPECT_EQ(l->l2_tables, 1u);
  EXPECT_EQ(l->data_clusters, 3u);
  EXPECT_EQ(l->file_clusters,
            8u);  // header, refcount table, L1, refcount block, L2, 3 data
  expect_clean_and_identical(dir, 1 << 20, writes, 16, 3);

  auto info = qemu_json("qemu-img info --output=json -f qcow2 '" + (dir / "t.qcow2") + "'");
  EXPECT_EQ(info["virtual-size"], 1 << 20);
  EXPECT_EQ(info["cluster-size"], 65536);
  EXPECT_EQ(info["dirty-flag"], false);
  EXPECT_EQ(info["format-specific"]["data"]["compat"], "1.1");
  EXPECT_EQ(info["format-specific"]["data"]["refcount-bits"], 16);
  EXPECT_EQ(info["format-specific"]["data"]["compression-type"], "zlib");
  auto check = qemu_json("qemu-img check --output=json -f qcow2 '" + (dir / "t.qcow2") + "'");
  EXPECT_EQ(check["image-end-offset"], 8 * 65536);
}

TEST(Qcow2Writer, SmallClustersNeedManyTablesAndRefcountBlocks) {
  test::TempDir dir;
  // A file-backed write (copy_file_range path) of 300000 bytes spans ~10 L2 tables of 32 KiB guest
  // each; with the others ~800 data clusters need 4 refcount blocks of 256 clusters.
  const std::string big = pattern(300000, 2);
  test::write_text(dir / "big", big);
  auto f = FileSource::open(dir / "big");
  ASSERT_TRUE(f);
  const std::vector<ImageWrite> writes = {{0, src("zIPL"), 4},
                                          {4096, whole(*f), 300032},
                                          {2 << 20, src(pattern(100000, 3)), 100352},
                                          {(4 << 20) - 512, src(pattern(512, 4)), 512}};
  auto l = plan_qcow2(4 << 20, writes, 9);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->l1_entries, 128u);  // 4 MiB / (64 entries * 512 bytes)
  EXPECT_EQ(l->data_clusters, 1u + 586 + 196 + 1);
  EXPECT_GE(l->refcount_blocks, 4u);
  EXPECT_GT(l->l2_tables, 10u);
  expect_clean_and_identical(dir, 4 << 20, writes, 9, l->data_clusters);
}

TEST(Qcow2Writer, AWriteThatDoesNotFitIsRefusedAndNothingIsLeft) {
  test::TempDir dir;
  auto s = write_qcow2_atomic(dir / "t.qcow2", 1 << 20, {{(1 << 20) - 2, src("abc"), 3}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().to_string(),
            dir / "t.qcow2" + ": write of 3 bytes at 1048574 does not fit the 1048576-byte image");
  EXPECT_EQ(test::sh("ls -A '" + dir.path() + "'").out, "");
}

}  // namespace
}  // namespace sipl::image
