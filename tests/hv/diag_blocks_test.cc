// The block types of the DIAG calls (diag508_svb.h, diag320_decode.h) against the byte layouts
// of qemu-secure-ipl.md §3-4, the pre-checks DIAG 0x508 and `sipl verify` share, and the
// library calls behind `sipl diag` and `sipl certs`.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sipl/base/bytes.h"
#include "sipl/hv/diag_call.h"
#include "sipl/hv/store_report.h"
#include "support/certs.h"
#include "support/run.h"

namespace sipl::hv {
namespace {

TEST(Svb, EncodesTheSpecsLayoutAndDecodesItBack) {
  diag508::Svb s;
  s.cert_store_index = 3;
  s.cert_len = 0x123;
  s.comp_len = 0x1000;
  s.comp_addr = 0x10000;
  s.sig_len = 0x200;
  s.sig_addr = 0x20000;
  // §4: length u32 @0 (64), version u8 @7, cert_store_index u8 @16, cert_len u64 @24,
  // comp_len @32, comp_addr @40, sig_len @48, sig_addr @56.
  EXPECT_EQ(to_hex(s.encode()), "00000040" + std::string(24, '0') + "03" + std::string(14, '0') +
                                    "0000000000000123" "0000000000001000" "0000000000010000"
                                    "0000000000000200" "0000000000020000");
  auto d = diag508::Svb::decode(s.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->cert_store_index, 3);
  EXPECT_EQ(d->sig_addr, 0x20000u);
  EXPECT_FALSE(diag508::Svb::decode(ByteSpan(s.encode()).first(63)));
}

TEST(Svb, EncodeIntoKeepsTheReservedBytes) {
  std::array<std::byte, 64> block;
  block.fill(std::byte{0xee});
  diag508::Svb s;
  s.encode_into(block);
  EXPECT_EQ(block[4], std::byte{0xee});   // reserved 4..6
  EXPECT_EQ(block[17], std::byte{0xee});  // reserved 17..23
  EXPECT_EQ(load_u32_be(block, 0), 64u);
}

TEST(Diag320Blocks, RequestsAndIsm) {
  EXPECT_EQ(to_hex(vcssb_request()), "00000080" + std::string(248, '0'));  // length 128, §3.3
  EXPECT_EQ(to_hex(VcbRequest{8192, 1, 2}.encode()),
            "00002000" "00000000" "00010002" + std::string(104, '0'));  // in_len @0, first @8, last @10
  auto ism = decode_ism(std::vector<std::byte>{std::byte{0xe0}, {}, {}, {}});
  ASSERT_TRUE(ism);
  EXPECT_EQ(ism->installed_subcodes(), (std::vector<unsigned>{0, 1, 2}));
  EXPECT_FALSE(ism->installed(3));
}

TEST(Diag508Precheck, QemusOrderWarningsAndOneErrorNamingTheRefusal) {
  diag508::Svb s;
  s.comp_len = 1;
  s.comp_addr = 0x10000;
  s.sig_len = 1;
  s.sig_addr = 0x20000;
  Findings f;
  EXPECT_EQ(precheck_verification(1, s, &f), std::nullopt);
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(precheck_verification(0, s, &f), 0x0102);  // the empty store comes first
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "diag508.no_certificates");
  EXPECT_EQ(f[0].severity, Severity::kError);
  f.clear();
  s.comp_len = 0x10000001;  // 256 MiB + 1
  EXPECT_EQ(precheck_verification(1, s, &f), 0x0202);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].message, "DIAG 0x508: component length 268435457 exceeds current maximum 268435456");  // QEMU's warning
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[1].id, "diag508.component_length");
  f.clear();
  s.comp_len = 1;
  s.sig_addr = 0;
  EXPECT_EQ(precheck_verification(1, s, &f), 0x0302);
  s.sig_addr = 1;
  s.length = 32;
  EXPECT_EQ(precheck_verification(1, s, &f), 0x0502);
}

class DiagCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::make_cert({.cn = "a"}, dir / "a.pem");
    test::make_cert({.key_type = "p256", .cn = "b"}, dir / "b.pem");
    Findings w;
    auto s = CertificateStore::build({dir / "a.pem", dir / "b.pem"}, &w);
    ASSERT_TRUE(s) << s.error().to_string();
    store = std::move(*s);
  }
  test::TempDir dir;
  CertificateStore store;
};

TEST_F(DiagCallTest, Subcode1ReportsWhatTheStoreReportSays) {
  auto o = call_diag320(store, {1, {}, {}, {}, now()});
  ASSERT_TRUE(o) << o.error().to_string();
  ASSERT_TRUE(o->result.ok());
  ASSERT_TRUE(o->vcssb);
  const StoreReport rep = report_store(store, now());
  EXPECT_EQ(o->vcssb->total_vc_ct, 2);
  EXPECT_EQ(o->vcssb->max_single_vcb_len, rep.max_single_vcb_len);
  EXPECT_EQ(o->vcssb->total_vcb_len, rep.total_vcb_len);
  // §3.3: total = 64 + n × 128 + Σ (64 + round_up(DER, 4)).
  uint64_t total = 64;
  for (const auto& e : store.entries()) total += 128 + 64 + round_up(e.cert.der().size(), 4);
  EXPECT_EQ(rep.total_vcb_len, total);
  EXPECT_EQ(rep.mode_secure_boot_off, IplMode::kAudit);
  EXPECT_FALSE(rep.has_invalid());
}

TEST_F(DiagCallTest, Subcode2DefaultsToTheWholeStore) {
  auto o = call_diag320(store, {2, {}, {}, {}, now()});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->first, 1);
  EXPECT_EQ(o->last, 2);
  ASSERT_TRUE(o->vcb);
  ASSERT_EQ(o->vcb->entries.size(), 2u);
  EXPECT_EQ(o->vcb->entries[1].cert_idx, 2);
  EXPECT_EQ(o->block.size(), o->vcb->out_len);
}

TEST_F(DiagCallTest, Diag508WithAnotherSignerFailsAndPlacesTheBlocksAsTheBiosDoes) {
  test::write_text(dir / "c", std::string(512, 'c'));
  test::make_cert({.cn = "x"}, dir / "x.pem", dir / "x.key");
  ASSERT_EQ(test::sh(fmt::format("openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -signer {} -inkey {} "
                                 "-in {} -out {}",
                                 dir / "x.pem", dir / "x.key", dir / "c", dir / "c.p7s"))
                .exit_code,
            0);
  auto o = call_diag508(store, {diag508::kSubcodeSignatureVerification, dir / "c", dir / "c.p7s", now()});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->result.rc, diag508::kRcVerificationFailed);
  EXPECT_EQ(o->verifying_index(), std::nullopt);
  EXPECT_EQ(o->svb.comp_len, 512u);
  EXPECT_EQ(o->svb.comp_addr, kDiag508ComponentAddress);
  EXPECT_EQ(o->svb.sig_addr, kDiag508ComponentAddress + 4096);  // the next page after the component
}

}  // namespace
}  // namespace sipl::hv
