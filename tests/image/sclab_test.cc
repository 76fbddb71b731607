// SCLAB layouts checked against the quadwords s390-tools zipl/boot/stage3.lds.S, Linux
// arch/s390/boot/vmlinux.lds.S quotes from the kernel's and zipl's linker scripts, decoded here by
// hand.
#include "sipl/image/sclab.h"

#include <gtest/gtest.h>

namespace sipl::image {
namespace {

Bytes from_hex(const std::string& hex) {
  Bytes b;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return b;
}

TEST(Sclab, BuildsTheKernelTrailer) {
  // Three zero quadwords, then 0x000000207A49504C.
  EXPECT_EQ(to_hex(build_sclab(0, 0, 0)),
            "0000000000000000" "0000000000000000" "0000000000000000" "000000207a49504c");
}

TEST(Sclab, BuildsTheStage3GlobalTrailer) {
  EXPECT_EQ(to_hex(build_sclab(kSclabFlagOpsw | kSclabFlagOla, 0x000800008000A000ull, 0xA000)),
            "0000c00000000000" "000800008000a000" "000000000000a000" "000000207a49504c");
}

TEST(Sclab, ParsesTheStage3Trailer) {
  Bytes comp(0x3FE0, std::byte{0x55});
  Bytes t = from_hex("0000c00000000000000800008000a000000000000000a000000000207a49504c");
  comp.insert(comp.end(), t.begin(), t.end());
  auto p = find_sclab(comp);
  ASSERT_TRUE(p.sclab);
  EXPECT_FALSE(p.absent);
  EXPECT_EQ(p.sclab->offset, 0x3FE0u);
  EXPECT_EQ(p.sclab->length, 32);
  EXPECT_EQ(p.sclab->format, 0);
  EXPECT_EQ(p.sclab->flags, 0xC000);
  EXPECT_EQ(p.sclab->load_psw, 0x000800008000A000ull);
  EXPECT_EQ(p.sclab->load_addr, 0xA000u);
}

TEST(Sclab, LongerSclabIsFoundByItsLength) {
  // A 48-byte SCLAB: format 1, flags 0x2000, then the locator with length 48.
  Bytes comp = from_hex("AAAA" "0100200000000000" "1111111111111111" "2222222222222222" "0000000000000000"
                        "0000000000000000" "000000307a49504c");
  auto p = find_sclab(comp);
  ASSERT_TRUE(p.sclab);
  EXPECT_EQ(p.sclab->offset, 2u);
  EXPECT_EQ(p.sclab->length, 48);
  EXPECT_EQ(p.sclab->format, 1);
  EXPECT_EQ(p.sclab->flags, 0x2000);
  EXPECT_EQ(p.sclab->load_psw, 0x1111111111111111ull);
  EXPECT_EQ(p.sclab->load_addr, 0x2222222222222222ull);
}

TEST(Sclab, AbsenceReasonsInTheBiosOrder) {
  auto absent = [](const std::string& hex) { return find_sclab(from_hex(hex)).absent; };
  EXPECT_EQ(absent(""), SclabAbsence::kTooShort);
  EXPECT_EQ(absent("000000207a4950"), SclabAbsence::kTooShort);
  EXPECT_EQ(absent("000000207a49504d"), SclabAbsence::kNoMagic);
  EXPECT_EQ(absent("0000001f7a49504c"), SclabAbsence::kLengthBelow32);
  EXPECT_EQ(absent("000000007a49504c"), SclabAbsence::kLengthBelow32);
  // Length 32 but only 8 bytes of component: QEMU would read before the component.
  EXPECT_EQ(absent("000000207a49504c"), SclabAbsence::kLengthBeyond);
  EXPECT_EQ(absent(std::string(2 * 24, '0') + "ffff00207a49504c"), std::nullopt);
  EXPECT_EQ(absent(std::string(2 * 24, '0') + "0000ffff7a49504c"), SclabAbsence::kLengthBeyond);
  EXPECT_EQ(describe(SclabAbsence::kTooShort), "Signed component too short to contain SCLAB locator");
  EXPECT_EQ(describe(SclabAbsence::kNoMagic), "Magic does not match. SCLAB does not exist");
  EXPECT_EQ(describe(SclabAbsence::kLengthBelow32), "Invalid SCLAB length");
  EXPECT_EQ(describe(SclabAbsence::kLengthBeyond), "SCLAB length is larger than the component");
}

// Per-component checks: masks and messages from the CEI table of QEMU include/hw/s390x/ipl/qipl.h,
// pc-bios/s390-ccw/secure-ipl.h.
TEST(SclabCheck, ValidPlainAndGlobalSclabs) {
  auto plain = check_sclab(from_hex("000000000000000000000000000000000000000000000000000000207a49504c"), 0x10000);
  EXPECT_TRUE(plain.has_sclab);
  EXPECT_FALSE(plain.global);
  EXPECT_EQ(plain.cei, 0u);
  EXPECT_TRUE(plain.errors.empty());
  auto global = check_sclab(from_hex("0000c00000000000000800008000a000000000000000a000000000207a49504c"), 0xA000);
  EXPECT_TRUE(global.has_sclab);
  EXPECT_TRUE(global.global);
  EXPECT_EQ(global.cei, 0u);
}

TEST(SclabCheck, MissingOrBadLocator) {
  auto c = check_sclab(from_hex("0000"), 0);
  EXPECT_FALSE(c.has_sclab);
  EXPECT_EQ(c.cei, 0x80000000u);
  EXPECT_EQ(c.errors, std::vector<std::string>{"Signed component too short to contain SCLAB locator"});
  c = check_sclab(from_hex("00000020594950ff"), 0);
  EXPECT_EQ(c.cei, 0x80000000u);
  EXPECT_EQ(c.errors, std::vector<std::string>{"Magic does not match. SCLAB does not exist"});
  c = check_sclab(from_hex("000000107a49504c"), 0);
  EXPECT_EQ(c.cei, 0xC0000000u);
  EXPECT_EQ(c.errors, std::vector<std::string>{"Invalid SCLAB length"});
  c = check_sclab(from_hex("000000207a49504c"), 0);  // 32 announced, 8 present
  EXPECT_EQ(c.cei, 0xC0000000u);
  EXPECT_FALSE(c.has_sclab);
}

TEST(SclabCheck, EveryFieldRuleInBiosOrder) {
  // format 1, flags NUC|SC|OLA (no OPSW), load_psw 1, load_addr 0x5000 at address 0x6000.
  auto c = check_sclab(from_hex("0100700000000000" "0000000000000001" "0000000000005000" "000000207a49504c"), 0x6000);
  EXPECT_TRUE(c.has_sclab);
  EXPECT_FALSE(c.global);
  EXPECT_EQ(c.cei, 0x20000000u | 0x00200000u | 0x10000000u | 0x02000000u | 0x00800000u);
  EXPECT_EQ(c.errors, (std::vector<std::string>{"Format-0 SCLAB is not being used",
                                                "Load PSW is not zero when Override PSW bit is zero",
                                                "Load Address does not match with component load address",
                                                "NUC bit is set, but not in the global SCLAB",
                                                "SC bit is set, but not in the global SCLAB"}));
  // Global without OLA, with a stray load address.
  c = check_sclab(from_hex("0000800000000000" "000800008000a000" "000000000000a000" "000000207a49504c"), 0xA000);
  EXPECT_TRUE(c.global);
  EXPECT_EQ(c.cei, 0x01000000u | 0x00400000u);
  EXPECT_EQ(c.errors, (std::vector<std::string>{"OLA flag is not set to one in the global SCLAB",
                                                "Load Address is not zero when OLA flag is zero"}));
}

TEST(Sclab, AppendPadsSoTheSclabEndsOnA4KiBBoundary) {
  const Bytes s = build_sclab(0, 0, 0);
  for (size_t n : {size_t{0}, size_t{1}, size_t{4064}, size_t{4065}, size_t{4096}, size_t{10000}}) {
    Bytes comp(n, std::byte{0xAB});
    Bytes out = append_sclab(comp, s);
    const size_t expected = (n + 32 + 4095) / 4096 * 4096;
    ASSERT_EQ(out.size(), expected) << n;
    EXPECT_TRUE(std::equal(comp.begin(), comp.end(), out.begin()));
    EXPECT_TRUE(std::all_of(out.begin() + n, out.end() - 32, [](std::byte b) { return b == std::byte{0}; }));
    EXPECT_TRUE(std::equal(s.begin(), s.end(), out.end() - 32));
    auto p = find_sclab(out);
    ASSERT_TRUE(p.sclab);
    EXPECT_EQ(p.sclab->offset, expected - 32);
  }
}

}  // namespace
}  // namespace sipl::image
