// The 127-entry cap of the IIRB component list (QEMU pc-bios/s390-ccw/secure-ipl.c zipl_run_secure:
// "more than 127 component entries → prints `Warning: only 127 component entries are supported`,
// panic `The device component list has reached its maximum capacity`"; the PSW pseudo-entry
// counts). No disk can reach it: a component table is one block of at most 4096 bytes, a 32-byte
// header and (4096 − 32) / 32 = 127 slots, one of them the EXEC entry, so at most 126 LOAD
// entries + the PSW entry = 127 list entries (docs/DECISIONS-boot.md). The programs here are
// therefore built in memory and handed to the component loop directly.
#include <gtest/gtest.h>

#include "support/bios_harness.h"
#include "support/run.h"

namespace sipl {
namespace {

constexpr uint64_t kPsw = 0x000800008000A000ULL;
const std::string kCapWarning = "Warning: only 127 component entries are supported";
const std::string kCapPanic = "The device component list has reached its maximum capacity";

class ComponentCap : public ::testing::Test {
 protected:
  void SetUp() override {
    test::make_2026_cert(dir / "cert.pem", dir / "key.pem");
    blob = test::sign_global(dir.path(), dir / "key.pem", dir / "cert.pem", kPsw);
  }
  // A program of `unsigned_loads` unsigned 512-byte LOADs (one page apart from 0x100000), with
  // the signed global-SCLAB component at 0xA000 first when `with_signed`, then EXEC.
  fw::Program program(size_t unsigned_loads, bool with_signed) {
    fw::Program p;
    unsigned i = 0;
    if (with_signed) {
      p.components.push_back(test::signature_entry(i++, blob.signature));
      p.components.push_back(test::load_entry(i++, kPsw & 0x7FFFFFFF, blob.component));
    }
    for (size_t k = 0; k < unsigned_loads; ++k)
      p.components.push_back(test::load_entry(i++, 0x100000 + k * 0x1000, Bytes(512, std::byte{0x07})));
    p.components.push_back(test::exec_entry(i, kPsw));
    return p;
  }
  struct Ran {
    fw::detail::RunResult result;
    std::vector<std::string> console;
    bool halted;
    std::string halt_reason;
    size_t entries;
  };
  Ran run(const fw::Program& p, bool secure) {
    test::BiosHarness h({dir / "cert.pem"}, secure, 1780272000 /* 2026-06-01 */);
    EXPECT_TRUE(h.startup());
    EXPECT_TRUE(h.out().console.empty());
    std::vector<fw::detail::FetchedCertificate> certs;
    auto r = fw::detail::run_secure_components(h.bios(), p, &certs);
    return {r, h.out().console, h.bios().halted, h.out().halt_reason, h.out().components.size()};
  }
  test::TempDir dir;
  test::SignedBlob blob;
};

TEST_F(ComponentCap, TheMostADiskCanHoldFillsTheListExactly) {
  // 1 SIGNATURE + 1 signed LOAD + 124 unsigned LOADs + EXEC = 127 table slots (a full
  // 4096-byte table): 125 LOADs + the PSW entry = 126 list entries. Without the SIGNATURE,
  // 126 LOADs + PSW = 127: still no panic. Secure mode needs a signed component, so the
  // all-unsigned table is checked in Audit mode.
  auto full = run(program(124, true), true);
  EXPECT_EQ(full.result, fw::detail::RunResult::kBooted);
  EXPECT_EQ(full.console, (std::vector<std::string>{"Verified component"}));
  EXPECT_EQ(full.entries, 126u);
  auto unsigned_only = run(program(126, false), false);
  EXPECT_EQ(unsigned_only.result, fw::detail::RunResult::kBooted);
  EXPECT_FALSE(unsigned_only.halted);
  EXPECT_EQ(unsigned_only.entries, 127u);
  EXPECT_EQ(unsigned_only.console,
            (std::vector<std::string>{"AUDIT MODE WARNING: Secure boot is on, but components are not signed",
                                      "AUDIT MODE WARNING: No recognizable SCLAB",
                                      "AUDIT MODE WARNING: Global SCLAB does not exist"}));
}

TEST_F(ComponentCap, ThePswEntryIsTheOneTooManyInBothModes) {
  // 127 LOADs (one signed) fill the list; adding the PSW pseudo-entry panics. A panic is
  // not zipl_secure_error(): it stops Audit mode as well.
  for (bool secure : {true, false}) {
    SCOPED_TRACE(secure ? "secure" : "audit");
    auto r = run(program(126, true), secure);
    EXPECT_EQ(r.result, fw::detail::RunResult::kFailed);
    EXPECT_EQ(r.console, (std::vector<std::string>{"Verified component", kCapWarning, "ERROR: " + kCapPanic}));
    EXPECT_TRUE(r.halted);  // run_ipl's verdict for a halted BIOS: halts
    EXPECT_EQ(r.halt_reason, kCapPanic);
    EXPECT_EQ(r.entries, 127u);
  }
}

TEST_F(ComponentCap, The128thLoadPanicsInsideTheLoopInBothModes) {
  for (bool secure : {true, false}) {
    SCOPED_TRACE(secure ? "secure" : "audit");
    auto r = run(program(128, false), secure);
    EXPECT_EQ(r.result, fw::detail::RunResult::kFailed);
    // Unsigned LOADs at or above 0x2000 print nothing; the 128th one hits the cap before the
    // end-of-loop checks ("not signed", "No recognizable SCLAB") could report.
    EXPECT_EQ(r.console, (std::vector<std::string>{kCapWarning, "ERROR: " + kCapPanic}));
    EXPECT_TRUE(r.halted);
    EXPECT_EQ(r.halt_reason, kCapPanic);
    EXPECT_EQ(r.entries, 127u);
  }
}

}  // namespace
}  // namespace sipl
