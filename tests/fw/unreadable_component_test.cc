// A component whose disk bytes cannot be read when the BIOS needs them (an I/O error, or a
// disk file that shrank after the walk): components are disk ranges read on demand, so the
// failure can surface at the load (a partial page) or at the SCLAB check (whole pages). Either
// way the real BIOS's read would have failed, so the device fails, in both modes, with a note
// that names the host's error: the file and the byte that could not be read.
#include <gtest/gtest.h>

#include "support/bios_harness.h"
#include "support/run.h"

namespace sipl {
namespace {

class FailingSource final : public ByteSource {
 public:
  Status read(uint64_t offset, MutableByteSpan) const override {
    return fail(ErrorCode::kIo, "Input/output error", Location::at_offset("disk.img", 4096 + offset));
  }
};

fw::Component unreadable_load(unsigned index, uint64_t address, uint64_t length) {
  fw::Component c;
  c.type = fw::ComponentType::kLoad;
  c.index = index;
  c.address = address;
  c.length = length;
  c.bytes.append(SourceRange{std::make_shared<FailingSource>(), 0, length});
  return c;
}

struct Ran {
  fw::detail::RunResult result;
  std::vector<std::string> console;
  bool halted;
  std::vector<Finding> notes;
};

Ran run(const std::string& dir, const fw::Program& p, bool secure) {
  test::BiosHarness h({dir + "/cert.pem"}, secure, 1780272000 /* 2026-06-01 */);
  EXPECT_TRUE(h.startup());
  std::vector<fw::detail::FetchedCertificate> certs;
  auto r = fw::detail::run_secure_components(h.bios(), p, &certs);
  return {r, h.out().console, h.bios().halted, h.out().notes};
}

class UnreadableComponent : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    test::make_2026_cert(dir / "cert.pem", dir / "key.pem");
    blob = test::sign_global(dir.path(), dir / "key.pem", dir / "cert.pem", 0x000800008000A000ULL);
  }
  test::TempDir dir;
  test::SignedBlob blob;
};

TEST_P(UnreadableComponent, WholePagesFailAtTheSclabCheckAndTheDeviceFails) {
  fw::Program p;
  p.components.push_back(test::signature_entry(0, blob.signature));
  p.components.push_back(unreadable_load(1, 0x10000, 0x20000));  // two whole 64 KiB pages: nothing read at load
  p.components.push_back(test::exec_entry(2, 0x0008000080010000ULL));
  const Ran r = run(dir.path(), p, GetParam());
  EXPECT_EQ(r.result, fw::detail::RunResult::kFailed);
  EXPECT_FALSE(r.halted);
  EXPECT_TRUE(r.console.empty());  // the BIOS's read failure has no line of its own here
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes.back().id, "boot.read_failed");
  // The SCLAB check reads the last 65535 bytes (the locator's length is a u16): from byte
  // 0x20000 - 0xffff = 0x10001 of the range, file byte 4096 + 65537 = 69633.
  EXPECT_EQ(r.notes.back().message,
            "the end of the component at 0x10000 cannot be read from the disk: disk.img: byte 69633: Input/output error");
  EXPECT_EQ(r.notes.back().where.path, "disk.img");
  EXPECT_EQ(r.notes.back().where.offset, std::optional<uint64_t>(69633));
}

TEST_P(UnreadableComponent, APartialPageFailsAtTheLoadAndTheDeviceFails) {
  fw::Program p;
  p.components.push_back(test::signature_entry(0, blob.signature));
  p.components.push_back(unreadable_load(1, 0xa000, 0x4000));  // inside one page: read at load
  p.components.push_back(test::exec_entry(2, 0x000800008000A000ULL));
  const Ran r = run(dir.path(), p, GetParam());
  EXPECT_EQ(r.result, fw::detail::RunResult::kFailed);
  EXPECT_FALSE(r.halted);
  EXPECT_TRUE(r.console.empty());
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes.back().id, "boot.read_failed");
  EXPECT_EQ(r.notes.back().message,
            "component 1 (0xa000, 16384 bytes) cannot be read from the disk: disk.img: byte 4096: Input/output error");
  EXPECT_EQ(r.notes.back().where.offset, std::optional<uint64_t>(4096));
}

INSTANTIATE_TEST_SUITE_P(SecureAndAudit, UnreadableComponent, ::testing::Bool());

}  // namespace
}  // namespace sipl
