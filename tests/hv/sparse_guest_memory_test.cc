// Guest memory pages that refer to disk ranges (SparseGuestMemory::load) and the component
// data the walk hands over (fw::ComponentData): the bytes must be exactly the source's,
// nothing may be read before it is needed, and a hashed component is read once, in order.
#include "sipl/hv/sparse_guest_memory.h"

#include <gtest/gtest.h>

#include <vector>

#include "sipl/base/byte_source.h"
#include "sipl/fw/boot_record.h"

namespace sipl {
namespace {

constexpr uint64_t kPage = 64 * 1024;

// The byte a PatternSource holds at `offset` (an independent definition of the content).
std::byte pattern(uint64_t offset) { return std::byte(static_cast<uint8_t>((offset * 7 + offset / 251) & 0xff)); }

// A source of `size` pattern bytes that records every read and can be told to fail.
class PatternSource final : public ByteSource {
 public:
  explicit PatternSource(uint64_t size) : size_(size) {}
  Status read(uint64_t offset, MutableByteSpan out) const override {
    reads.push_back({offset, out.size()});
    if (failing || offset + out.size() > size_)
      return fail(ErrorCode::kIo, "cannot read", Location::at_offset("disk.img", offset));
    for (size_t i = 0; i < out.size(); ++i) out[i] = pattern(offset + i);
    return {};
  }
  struct Read {
    uint64_t offset;
    uint64_t length;
  };
  mutable std::vector<Read> reads;
  bool failing = false;

 private:
  uint64_t size_;
};

Bytes expected(uint64_t offset, uint64_t len) {
  Bytes b(len);
  for (uint64_t i = 0; i < len; ++i) b[i] = pattern(offset + i);
  return b;
}

uint64_t total_read(const PatternSource& s) {
  uint64_t n = 0;
  for (const auto& r : s.reads) n += r.length;
  return n;
}

TEST(SparseGuestMemoryLoad, WholePagesAreNotReadUntilVisitedThenReadOnceInOrder) {
  auto src = std::make_shared<PatternSource>(8 * 1024 * 1024);
  hv::SparseGuestMemory mem(64 * 1024 * 1024);
  const uint64_t len = 4 * 1024 * 1024;  // 64 whole pages at a page-aligned address
  ASSERT_TRUE(mem.load(0x10000, SourceRange{src, 12345, len}));
  EXPECT_TRUE(src->reads.empty());

  Bytes seen;
  size_t calls = 0;
  ASSERT_TRUE(mem.visit(0x10000, len, [&](ByteSpan b) {
    seen.insert(seen.end(), b.begin(), b.end());
    ++calls;
  }));
  EXPECT_TRUE(seen == expected(12345, len));
  EXPECT_EQ(calls, len / (256 * 1024));  // streamed in 256 KiB pieces, not 64 KiB pages
  EXPECT_EQ(total_read(*src), len);      // every byte read exactly once
  uint64_t next = 12345;
  for (const auto& r : src->reads) {
    EXPECT_EQ(r.offset, next);  // sequential
    next += r.length;
  }
}

TEST(SparseGuestMemoryLoad, PartialPagesAreReadAtOnceAndTheContentIsExact) {
  auto src = std::make_shared<PatternSource>(1024 * 1024);
  hv::SparseGuestMemory mem(16 * 1024 * 1024);
  const uint64_t addr = 0xa000, len = 3 * kPage + 100;  // starts and ends inside a page
  ASSERT_TRUE(mem.load(addr, SourceRange{src, 7, len}));
  EXPECT_EQ(total_read(*src), (kPage - addr % kPage) + (addr + len) % kPage);  // the two partial pages
  EXPECT_TRUE(mem.read_bytes(addr, len) == expected(7, len));
  EXPECT_TRUE(mem.read_bytes(addr - 16, 16) == Bytes(16));  // never written: zeros
  Bytes via_visit;
  ASSERT_TRUE(mem.visit(addr, len, [&](ByteSpan b) { via_visit.insert(via_visit.end(), b.begin(), b.end()); }));
  EXPECT_TRUE(via_visit == expected(7, len));
}

TEST(SparseGuestMemoryLoad, WritingIntoALoadedPageCopiesItFirst) {
  auto src = std::make_shared<PatternSource>(1024 * 1024);
  hv::SparseGuestMemory mem(16 * 1024 * 1024);
  ASSERT_TRUE(mem.load(0x20000, SourceRange{src, 0, 2 * kPage}));
  const Bytes mark{std::byte{0xde}, std::byte{0xad}};
  ASSERT_TRUE(mem.write(0x20000 + 1000, mark));
  Bytes want = expected(0, 2 * kPage);
  want[1000] = std::byte{0xde};
  want[1001] = std::byte{0xad};
  EXPECT_TRUE(mem.read_bytes(0x20000, 2 * kPage) == want);
  // A later load replaces the page's content again.
  ASSERT_TRUE(mem.load(0x20000, SourceRange{src, kPage, kPage}));
  EXPECT_TRUE(mem.read_bytes(0x20000, kPage) == expected(kPage, kPage));
}

TEST(SparseGuestMemoryLoad, OutsideMemoryLoadsNothing) {
  auto src = std::make_shared<PatternSource>(1024 * 1024);
  hv::SparseGuestMemory mem(2 * kPage);
  EXPECT_FALSE(mem.load(kPage, SourceRange{src, 0, kPage + 1}));
  EXPECT_TRUE(src->reads.empty());
  EXPECT_TRUE(mem.read_bytes(kPage, kPage) == Bytes(kPage));
}

TEST(SparseGuestMemoryLoad, AFailingSourceFailsTheVisitAndTheRead) {
  auto src = std::make_shared<PatternSource>(1024 * 1024);
  hv::SparseGuestMemory mem(16 * 1024 * 1024);
  ASSERT_TRUE(mem.load(0, SourceRange{src, 0, 4 * kPage}));
  EXPECT_FALSE(mem.host_error());
  src->failing = true;
  EXPECT_FALSE(mem.visit(0, 4 * kPage, [](ByteSpan) {}));
  // The guest sees a failed access; the host's reason is kept, file and byte: that of the
  // last access that failed (a second device's failure is not explained by the first's).
  ASSERT_TRUE(mem.host_error());
  EXPECT_EQ(mem.host_error()->to_string(), "disk.img: byte 0: cannot read");
  EXPECT_EQ(mem.host_error()->code, ErrorCode::kIo);
  Bytes out(10);
  EXPECT_FALSE(mem.read(kPage + 5, out));
  EXPECT_EQ(mem.host_error()->to_string(), "disk.img: byte 65541: cannot read");
}

// host_error() explains only the access that just failed: an access that fails for the guest's
// reason (outside memory) or succeeds does not inherit an earlier disk error.
TEST(SparseGuestMemoryLoad, TheHostErrorIsForgottenByTheNextAccess) {
  auto src = std::make_shared<PatternSource>(1024 * 1024);
  hv::SparseGuestMemory mem(4 * kPage);
  ASSERT_TRUE(mem.load(0, SourceRange{src, 0, 2 * kPage}));
  src->failing = true;
  Bytes out(10);
  EXPECT_FALSE(mem.read(5, out));
  ASSERT_TRUE(mem.host_error());
  EXPECT_FALSE(mem.read(4 * kPage - 5, out));  // runs past the end of guest memory
  EXPECT_FALSE(mem.host_error());
  EXPECT_FALSE(mem.visit(kPage, kPage, [](ByteSpan) {}));
  ASSERT_TRUE(mem.host_error());
  EXPECT_EQ(mem.host_error()->to_string(), "disk.img: byte 65536: cannot read");
  EXPECT_TRUE(mem.read(2 * kPage, out));  // never loaded: zeros, no disk read
  EXPECT_FALSE(mem.host_error());
  EXPECT_FALSE(mem.write(4 * kPage, out));
  EXPECT_FALSE(mem.host_error());
}

TEST(SparseGuestMemoryLoad, ALoadFromAFailingSourceKeepsTheHostError) {
  auto src = std::make_shared<PatternSource>(1024 * 1024);
  src->failing = true;
  hv::SparseGuestMemory mem(16 * 1024 * 1024);
  EXPECT_FALSE(mem.load(100, SourceRange{src, 4096, 10}));  // part of a page: read at once
  ASSERT_TRUE(mem.host_error());
  EXPECT_EQ(mem.host_error()->to_string(), "disk.img: byte 4096: cannot read");
}

TEST(ComponentData, AdjacentRangesOfOneSourceMergeAndCopyCrossesRanges) {
  auto a = std::make_shared<PatternSource>(1024 * 1024);
  auto b = std::make_shared<PatternSource>(1024 * 1024);
  fw::ComponentData d;
  d.append(SourceRange{a, 0, 512});
  d.append(SourceRange{a, 512, 1024});   // continues: merged
  d.append(SourceRange{a, 4096, 512});   // gap: new range
  d.append(SourceRange{b, 4608, 512});   // other source: new range
  d.append(SourceRange{b, 9999, 0});     // empty: ignored
  ASSERT_EQ(d.pieces().size(), 3u);
  EXPECT_EQ(d.pieces()[0].length, 1536u);
  EXPECT_EQ(d.size(), 2560u);
  Bytes want = expected(0, 1536);
  for (auto x : expected(4096, 1024)) want.push_back(x);  // a@4096.. then b@4608.. = same pattern
  auto all = d.to_bytes();
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(*all == want);
  auto mid = d.slice(1500, 100);
  ASSERT_TRUE(mid.has_value());
  EXPECT_TRUE(*mid == Bytes(want.begin() + 1500, want.begin() + 1600));
  auto end = d.tail(4000);
  ASSERT_TRUE(end.has_value());
  EXPECT_TRUE(*end == want);
  auto past = d.slice(2500, 61);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().message, "slice of 61 bytes at 2500 is outside a 2560-byte component");
}

}  // namespace
}  // namespace sipl
