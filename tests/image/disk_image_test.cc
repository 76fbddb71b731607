// DiskImage against the real qemu-img/qemu-io: every qcow2 variant must read back exactly the
// bytes qemu-img itself produces for the guest (qemu-img convert -O raw is the oracle).
#include "sipl/image/disk_image.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include <gtest/gtest.h>

#include "support/test_data.h"
#include "support/must.h"
#include "support/run.h"

namespace sipl::image {
namespace {

using test::must;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}


void patch(const std::string& path, uint64_t off, std::initializer_list<uint8_t> bytes);

// Reads the whole image through DiskImage, in odd-sized chunks that straddle clusters.
std::string read_all(const DiskImage& d) {
  std::string out(d.size(), '\0');
  uint64_t pos = 0;
  const uint64_t chunk = 1000003;
  while (pos < d.size()) {
    const uint64_t n = std::min(chunk, d.size() - pos);
    auto s = d.read(pos, MutableByteSpan(reinterpret_cast<std::byte*>(out.data()) + pos, n));
    EXPECT_TRUE(s) << s.error().to_string();
    if (!s) break;
    pos += n;
  }
  return out;
}

// Checks that `image` reads back exactly as `qemu-img convert -O raw` sees it.
void expect_same_as_qemu(const std::string& image, ImageFormat fmt) {
  auto d = DiskImage::open(image);
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->format(), fmt);
  const std::string oracle = image + ".oracle.raw";
  must("qemu-img convert -O raw '" + image + "' '" + oracle + "'");
  const std::string want = slurp(oracle);
  ASSERT_EQ(d->size(), want.size());
  EXPECT_TRUE(read_all(*d) == want) << image << " differs from qemu-img's view";
  std::remove(oracle.c_str());
}

// A raw disk with recognisable content in every cluster, written by the test.
std::string make_pattern_raw(const std::string& path, size_t size, unsigned seed) {
  std::string data(size, '\0');
  std::mt19937 rng(seed);
  for (size_t i = 0; i < size; i += 4096)
    if (rng() % 3 != 0)  // leave some holes so zero clusters exist too
      for (size_t j = i; j < i + 4096 && j < size; ++j) data[j] = static_cast<char>(rng() % 7 == 0 ? rng() : j);
  test::write_text(path, data);
  return data;
}

TEST(DiskImage, RawCorpusDiskReadsTheFileBytes) {
  const std::string raw = test::corpus_disk("disk-a-unsigned");
  auto d = DiskImage::open(raw);
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->format(), ImageFormat::kRaw);
  EXPECT_EQ(d->size(), 64u * 1024 * 1024);
  EXPECT_EQ(d->block_count(), 131072u);
  auto b = d->read_blocks(0, 1);
  ASSERT_TRUE(b);
  EXPECT_EQ(to_string(ByteSpan(*b).first(4)), "zIPL");
  EXPECT_EQ((*b)[510], std::byte{0x55});
  EXPECT_EQ((*b)[511], std::byte{0xAA});
}

TEST(DiskImage, QemuImgConvertOfCorpusDiskReadsBackIdentical) {
  const std::string raw = test::corpus_disk("disk-b-secure");
  const std::string want = slurp(raw);
  struct Variant {
    const char* name;
    const char* args;
  } variants[] = {
      {"v3.qcow2", ""},
      {"v3c.qcow2", "-c"},
      {"v2c.qcow2", "-c -o compat=0.10"},
      {"v3c4k.qcow2", "-c -o cluster_size=4096"},
      {"v3-2m.qcow2", "-o cluster_size=2M"},
  };
  test::TempDir dir;
  for (const auto& v : variants) {
    const std::string q = dir / v.name;
    must(std::string("qemu-img convert -f raw -O qcow2 ") + v.args + " '" + raw + "' '" + q + "'");
    auto d = DiskImage::open(q);
    ASSERT_TRUE(d) << v.name << ": " << d.error().to_string();
    EXPECT_EQ(d->format(), ImageFormat::kQcow2);
    ASSERT_EQ(d->size(), want.size()) << v.name;
    EXPECT_TRUE(read_all(*d) == want) << v.name << " does not read back byte-identical";
  }
}

TEST(DiskImage, BackingFileWithQemuIoWrite) {
  test::TempDir dir;
  const std::string base = dir / "base.raw";
  std::string want = make_pattern_raw(base, 4 << 20, 7);
  const std::string top = dir / "top.qcow2";
  must("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b base.raw -F raw top.qcow2");
  must("qemu-io -c 'write -P 0xab 1M 64k' '" + top + "' >/dev/null");
  std::fill(want.begin() + (1 << 20), want.begin() + (1 << 20) + 65536, '\xab');
  auto d = DiskImage::open(top);
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_TRUE(read_all(*d) == want);
  expect_same_as_qemu(top, ImageFormat::kQcow2);
}

TEST(DiskImage, BackingChainOfQcow2InAnotherDirectoryAndLargerTop) {
  test::TempDir dir;
  must("mkdir -p '" + dir.path() + "/lower'");
  make_pattern_raw(dir / "lower/seed.raw", 2 << 20, 11);
  must("cd '" + dir.path() + "/lower' && qemu-img convert -q -c -O qcow2 seed.raw base.qcow2");
  // mid.qcow2 names its backing file relative to its own directory, not to the caller's.
  must("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b lower/base.qcow2 -F qcow2 mid.qcow2 3M");
  must("qemu-io -c 'write -P 0x11 1536k 8k' -c 'write -z 0 4k' '" + (dir / "mid.qcow2") + "' >/dev/null");
  must("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2 4M");
  must("qemu-io -c 'write -P 0x22 3M 4k' -c 'discard 64k 64k' '" + (dir / "top.qcow2") + "' >/dev/null");
  expect_same_as_qemu(dir / "top.qcow2", ImageFormat::kQcow2);
}

TEST(DiskImage, BlockSize4096) {
  test::TempDir dir;
  const std::string want = make_pattern_raw(dir / "d.raw", 64 * 1024, 3);
  auto d = DiskImage::open(dir / "d.raw", 4096);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->block_count(), 16u);
  auto b = d->read_blocks(3, 2);
  ASSERT_TRUE(b);
  EXPECT_EQ(to_string(*b), want.substr(3 * 4096, 8192));
  auto past = d->read_blocks(15, 2);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().to_string(),
            dir / "d.raw" + ": block 15: blocks 15..16 are past the end of the image (16 blocks of 4096 bytes)");
  auto bad = DiskImage::open(dir / "d.raw", 1024);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "block size 1024 is not 512 or 4096");
}

TEST(DiskImage, ReadPastEndNamesTheOffset) {
  Bytes mem(1000);
  auto d = DiskImage::from_memory(mem, 512, "mem");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->block_count(), 1u);
  Bytes out(10);
  auto s = d->read(995, out);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().to_string(),
            "mem: byte 995: read of 10 bytes at byte 995 is past the end of the 1000-byte image");
}

// check() finds what a read would: here an L2 entry pointing past the end of the file, named
// by the entry's byte offset, without reading the data clusters around it.
TEST(DiskImage, Qcow2CheckNamesTheL2EntryAtFaultAsAReadDoes) {
  test::TempDir dir;
  const std::string raw = dir / "p.raw", q = dir / "p.qcow2";
  make_pattern_raw(raw, 1 << 20, 5);
  must("qemu-img convert -f raw -O qcow2 '" + raw + "' '" + q + "'");
  // qemu-img's layout for a 1 MiB image: L1 at cluster 3, the one L2 table at cluster 4
  // (header, refcount table, refcount block, L1); guest cluster 5's entry at byte 4*65536+40.
  const uint64_t entry_at = 4 * 65536 + 5 * 8;
  auto fresh = DiskImage::open(q);
  ASSERT_TRUE(fresh);
  ASSERT_TRUE(fresh->check(0, 1 << 20));
  patch(q, entry_at, {0x80, 0, 0, 0, 0x10, 0, 0, 0});  // copied flag, host offset 256 MiB
  auto d = DiskImage::open(q);
  ASSERT_TRUE(d);
  const std::string want = q + ": byte " + std::to_string(entry_at) +
                           ": L2 entry for guest byte 327680 points to a data cluster at byte 268435456, which is "
                           "not a whole cluster inside the " + std::to_string(std::filesystem::file_size(q)) +
                           "-byte file";
  auto c = d->check(300000, 100000);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().to_string(), want);
  EXPECT_TRUE(d->check(0, 327680));  // the clusters before it are fine
  Bytes out(4096);
  auto r = d->read(327680, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), want);
}

// --- Refusals: each names the file and the header byte at fault. ---

std::string open_error(const std::string& path) {
  auto d = DiskImage::open(path);
  EXPECT_FALSE(d) << path << " was accepted";
  return d ? "" : d.error().to_string();
}

// Legacy AES: qemu-img makes it instantly (LUKS spends seconds benchmarking its KDF); both set
// crypt_method, the field the refusal reads.
TEST(DiskImageRefuses, EncryptedAes) {
  test::TempDir dir;
  const std::string p = dir / "enc.qcow2";
  must("qemu-img create -q --object secret,id=s0,data=pw -f qcow2 -o encrypt.format=aes,encrypt.key-secret=s0 '" + p +
       "' 1M");
  EXPECT_EQ(open_error(p), p + ": byte 32: image is encrypted (crypt_method 1, AES); sipl reads only unencrypted "
                               "images: decrypt it first with qemu-img convert");
}

TEST(DiskImageRefuses, ExtendedL2) {
  test::TempDir dir;
  const std::string p = dir / "xl2.qcow2";
  must("qemu-img create -q -f qcow2 -o extended_l2=on '" + p + "' 1M");
  EXPECT_EQ(open_error(p), p + ": byte 72: image uses extended L2 entries (incompatible feature bit 4, "
                               "subclusters), which sipl does not read");
}

TEST(DiskImageRefuses, ExternalDataFile) {
  test::TempDir dir;
  const std::string p = dir / "ext.qcow2";
  must("qemu-img create -q -f qcow2 -o data_file='" + (dir / "ext.data") + "' '" + p + "' 1M");
  EXPECT_EQ(open_error(p), p + ": byte 72: image keeps its data in an external data file (incompatible feature bit "
                               "2), which sipl does not read");
}

TEST(DiskImageRefuses, ZstdCompression) {
  test::TempDir dir;
  const std::string p = dir / "z.qcow2";
  auto r = test::sh("qemu-img create -q -f qcow2 -o compression_type=zstd '" + p + "' 1M");
  if (r.exit_code != 0) GTEST_SKIP() << "qemu-img without zstd: " << r.err;
  EXPECT_EQ(open_error(p), p + ": byte 104: compression type 1 (zstd) is not supported; only zlib is");
}

// Patches big-endian bytes of a qemu-img-made image to make header fields absurd.
void patch(const std::string& path, uint64_t off, std::initializer_list<uint8_t> bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(off));
  for (uint8_t b : bytes) f.put(static_cast<char>(b));
}

TEST(DiskImageRefuses, AbsurdHeaderValues) {
  test::TempDir dir;
  const std::string p = dir / "h.qcow2";
  auto fresh = [&] { must("rm -f '" + p + "' && qemu-img create -q -f qcow2 '" + p + "' 64M"); };
  fresh();
  patch(p, 20, {0, 0, 0, 40});
  EXPECT_EQ(open_error(p), p + ": byte 20: cluster_bits 40 is outside 9..21 (512 B to 2 MiB clusters)");
  fresh();
  patch(p, 4, {0, 0, 0, 4});
  EXPECT_EQ(open_error(p), p + ": byte 4: qcow2 version 4 is not 2 or 3");
  fresh();
  patch(p, 72, {0, 0, 0, 0, 0, 0, 0x04, 0});
  EXPECT_EQ(open_error(p), p + ": byte 72: unknown incompatible feature bits 0x400; sipl cannot read this image "
                               "correctly");
  fresh();
  patch(p, 36, {0, 0, 0, 0});  // l1_size 0 cannot map 64 MiB
  EXPECT_EQ(open_error(p), p + ": byte 36: l1_size 0 does not fit a 67108864-byte image (1 entries needed, at most "
                               "4194304)");
  fresh();
  patch(p, 40, {0, 0, 0, 0x10, 0, 0, 0, 0});  // L1 table far past the end of the file
  EXPECT_EQ(open_error(p), p +
                               ": byte 40: L1 table (1 entries at byte 68719476736) is not cluster-aligned inside "
                               "the " +
                               std::to_string(std::filesystem::file_size(p)) + "-byte file");
}

TEST(DiskImageRefuses, BackingLoop) {
  test::TempDir dir;
  must("cd '" + dir.path() +
       "' && qemu-img create -q -f qcow2 a.qcow2 1M && qemu-img create -q -f qcow2 -b a.qcow2 "
       "-F qcow2 b.qcow2 && qemu-img rebase -u -b b.qcow2 -F qcow2 a.qcow2");
  const std::string err = open_error(dir / "b.qcow2");
  EXPECT_NE(err.find("backing chain is deeper than 16 images (a loop?)"), std::string::npos) << err;
}

TEST(DiskImageRefuses, MissingBackingFile) {
  test::TempDir dir;
  must("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b gone.raw -F raw -u top.qcow2 1M");
  const std::string p = dir / "top.qcow2";
  const std::string err = open_error(p);
  EXPECT_EQ(err.rfind(p + ": byte ", 0), 0u) << err;
  EXPECT_NE(err.find("backing file: " + (dir / "gone.raw")), std::string::npos) << err;
}

}  // namespace
}  // namespace sipl::image
