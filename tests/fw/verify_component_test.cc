// fw::verify_component, the library call behind `sipl verify`: the verdict and its findings for
// files signed by the openssl CLI and the kernel's sign-file layout (zipl-and-signatures.md
// §2), without the CLI (tests/cli/verify_test.cc checks its rendering).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sipl/fw/verify_component.h"
#include "support/certs.h"
#include "support/run.h"

namespace sipl::fw {
namespace {

class VerifyComponent : public ::testing::Test {
 protected:
  void SetUp() override {
    test::make_cert({.cn = "signer"}, dir / "signer.pem", dir / "signer.key");
    test::make_cert({.cn = "other"}, dir / "other.pem");
    test::write_text(dir / "c", std::string(1000, 'k'));
    ASSERT_EQ(test::sh(fmt::format("openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -signer {} "
                                   "-inkey {} -in {} -out {}",
                                   dir / "signer.pem", dir / "signer.key", dir / "c", dir / "c.p7s"))
                  .exit_code,
              0);
  }
  hv::CertificateStore store(const std::vector<std::string>& names) {
    std::vector<std::string> paths;
    for (const auto& n : names) paths.push_back(dir / (n + ".pem"));
    Findings w;
    auto s = hv::CertificateStore::build(paths, &w);
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? std::move(*s) : hv::CertificateStore{};
  }
  test::TempDir dir;
};

TEST_F(VerifyComponent, DetachedSignatureVerifiesWithTheSecondCertificate) {
  auto v = verify_component(store({"other", "signer"}), {dir / "c", dir / "c.p7s", now(), 0});
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->verified());
  EXPECT_EQ(v->store_index(), 1u);  // 0-based in the library
  EXPECT_EQ(v->diag508_rc, 0x0001);
  EXPECT_EQ(v->signature_source, SignatureSource::kDetached);
  EXPECT_EQ(v->payload_size, 1000u);
  EXPECT_EQ(v->verdict->candidates[0].status, crypto::CandidateStatus::kWrongKey);
  EXPECT_FALSE(v->input_error);
}

TEST_F(VerifyComponent, AnEmptyStoreIsDiag508sRefusalNotAnError) {
  auto v = verify_component(hv::CertificateStore{}, {dir / "c", dir / "c.p7s", now(), 0});
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_FALSE(v->verified());
  EXPECT_EQ(v->diag508_rc, 0x0102);
  ASSERT_EQ(v->findings.size(), 1u);
  EXPECT_EQ(v->findings[0].id, "diag508.no_certificates");  // the handler's own pre-check
  EXPECT_FALSE(v->verdict);
}

TEST_F(VerifyComponent, UnsignedMalformedAndNotABlockMultiple) {
  auto v = verify_component(store({"signer"}), {dir / "c", std::nullopt, now(), 512});
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->verified());
  ASSERT_EQ(v->findings.size(), 1u);
  EXPECT_EQ(v->findings[0].id, "verify.no_signature");
  EXPECT_EQ(v->diag508_rc, std::nullopt);
  // sign-file's layout by hand: the DER, a descriptor whose sig_len (last 4 bytes) is too large,
  // the marker (zipl-and-signatures.md §2.1).
  test::write_text(dir / "bad", std::string(100, 'x') + std::string("\0\0\x02\0\0\0\0\0\xff\xff\xff\xff", 12) +
                                    "~Module signature appended~\n");
  v = verify_component(store({"signer"}), {dir / "bad", std::nullopt, now(), 0});
  ASSERT_TRUE(v);
  ASSERT_TRUE(v->input_error);
  EXPECT_EQ(v->input_error->code, ErrorCode::kBadInput);
  EXPECT_EQ(v->findings[0].id, "verify.malformed_trailer");
  // Appended: the payload is 1000 bytes, not a multiple of 512.
  const std::string sig = test::read_text(dir / "c.p7s");
  std::string trailer("\0\0\x02\0\0\0\0\0", 8);
  for (int shift : {24, 16, 8, 0}) trailer.push_back(static_cast<char>((sig.size() >> shift) & 0xff));  // sig_len, BE
  test::write_text(dir / "signed", test::read_text(dir / "c") + sig + trailer + "~Module signature appended~\n");
  v = verify_component(store({"signer"}), {dir / "signed", std::nullopt, now(), 512});
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->verified());
  EXPECT_EQ(v->signature_source, SignatureSource::kAppended);
  ASSERT_FALSE(v->findings.empty());
  EXPECT_EQ(v->findings[0].id, "verify.not_block_multiple");
}

}  // namespace
}  // namespace sipl::fw
