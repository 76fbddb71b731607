// The BIOS's certificate fetch after a verified component (request_certificate, DIAG 0x320
// subcode 2; qemu-secure-ipl.md §3.5, §6.5) and its failure paths: DIAG rc ≠ 1 → `Could not
// get certificate`; out_len = 64 → `No certificate entry`; remain_ct ≠ 0 → panic `Not enough
// memory to store requested certificate` (unreachable, see below); VCE valid bit clear →
// `Invalid certificate`; each
// non-panic failure is followed by the loop's own `Could not get certificate` and fails the
// device (a hard failure, in Audit and Secure mode alike).
//
// None of them is reachable from a real configuration, so they are driven through the engine's
// internal functions with a hand-set BIOS state (why, per path, in docs/DECISIONS-boot.md):
// the index comes from DIAG 0x508 and always names a stored certificate; in_len is rounded up
// from the VCSSB's max_single_vcb_len, which covers the largest VCE; DIAG 0x508 already refuses
// a certificate outside its validity window at the same instant; and a certificate too big for
// a VCE is refused by QEMU when it builds the store (the last test).
#include <gtest/gtest.h>

#include "support/bios_harness.h"
#include "support/certs.h"
#include "sipl/hv/machine.h"
#include "support/run.h"

namespace sipl {
namespace {

constexpr uint64_t kPsw = 0x000800008000A000ULL;
constexpr UnixTime kAt = 1780272000;  // 2026-06-01, inside the certificates' validity
const std::string kCouldNot = "Could not get certificate";

class CertificateFetch : public ::testing::Test {
 protected:
  // A certificate valid 2026-01-01 .. 2036-01-01, its DER written by the openssl CLI.
  void make(const std::string& name, size_t padding = 0) {
    test::make_2026_cert(dir / (name + ".pem"), dir / (name + ".key"), padding);
    auto r = test::sh("openssl x509 -in '" + (dir / (name + ".pem")) + "' -outform DER -out '" + (dir / (name + ".der")) +
                      "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // SIGNATURE + the signed global-SCLAB component at 0xA000 + EXEC, signed by `name`.
  fw::Program signed_program(const std::string& name) {
    auto blob = test::sign_global(dir.path(), dir / (name + ".key"), dir / (name + ".pem"), kPsw);
    fw::Program p;
    p.components.push_back(test::signature_entry(0, blob.signature));
    p.components.push_back(test::load_entry(1, kPsw & 0x7FFFFFFF, blob.component));
    p.components.push_back(test::exec_entry(2, kPsw));
    return p;
  }
  test::TempDir dir;
};

TEST_F(CertificateFetch, CopiesTheDerOfTheRequestedCertificate) {
  make("a");
  make("b");
  test::BiosHarness h({dir / "a.pem", dir / "b.pem"}, true, kAt);
  ASSERT_TRUE(h.startup());
  const Bytes der = test::file_bytes(dir / "b.der");
  const uint64_t dest = h.out().layout.cert_temp;
  EXPECT_EQ(fw::detail::request_certificate(h.bios(), dest, 2), der.size());
  Bytes got(der.size());
  ASSERT_TRUE(h.memory().read(dest, got));
  EXPECT_EQ(got, der);
  EXPECT_TRUE(h.out().console.empty());
}

TEST_F(CertificateFetch, IndexPastTheStoreIsNoCertificateEntry) {
  make("a");
  test::BiosHarness h({dir / "a.pem"}, true, kAt);
  ASSERT_TRUE(h.startup());
  // QEMU answers a range past the store with the 64-byte header only (out_len 64), rc 1.
  EXPECT_EQ(fw::detail::request_certificate(h.bios(), h.out().layout.cert_temp, 2), 0u);
  EXPECT_EQ(h.out().console, (std::vector<std::string>{"No certificate entry"}));
  EXPECT_FALSE(h.bios().halted);
}

TEST_F(CertificateFetch, RcOtherThanOneIsCouldNotGetCertificate) {
  make("a");
  test::BiosHarness h({dir / "a.pem"}, true, kAt);
  ASSERT_TRUE(h.startup());
  // A VCSSB that reported max_single_vcb_len 0 makes in_len 0: rc 0x0204 (docs/DECISIONS-diag320.md).
  h.bios().max_single_vcb_len = 0;
  EXPECT_EQ(fw::detail::request_certificate(h.bios(), h.out().layout.cert_temp, 1), 0u);
  EXPECT_EQ(h.out().console, (std::vector<std::string>{kCouldNot}));
  EXPECT_FALSE(h.bios().halted);
}

TEST_F(CertificateFetch, CertificateOutsideItsValidityIsInvalid) {
  make("a");
  test::BiosHarness h({dir / "a.pem"}, true, 2114380800 /* 2037-01-01, after not_after */);
  ASSERT_TRUE(h.startup());
  EXPECT_EQ(fw::detail::request_certificate(h.bios(), h.out().layout.cert_temp, 1), 0u);
  EXPECT_EQ(h.out().console, (std::vector<std::string>{"Invalid certificate"}));
  EXPECT_FALSE(h.bios().halted);
}

TEST_F(CertificateFetch, VceLargerThanTheBufferIsNoCertificateEntryNotThePanic) {
  make("big", 4000);  // DER > 3840: its VCE (128 + 32 + 32 + DER) does not fit a 4096-byte VCB
  ASSERT_GT(test::file_bytes(dir / "big.der").size(), 3840u);
  for (bool secure : {true, false}) {
    SCOPED_TRACE(secure ? "secure" : "audit");
    test::BiosHarness h({dir / "big.pem"}, secure, kAt);
    ASSERT_TRUE(h.startup());
    h.bios().max_single_vcb_len = 64 + 128 + 64 + 800;  // in_len 4096, as for a store of small certificates
    EXPECT_EQ(fw::detail::request_certificate(h.bios(), h.out().layout.cert_temp, 1), 0u);
    // QEMU stores nothing and says so: out_len 64 (@32), remain_ct 1 (@42) (§3.4). The BIOS
    // tests out_len before remain_ct (§3.5), so a one-certificate request that does not fit
    // ends in "No certificate entry"; the remain_ct panic needs a range of several
    // certificates, which the BIOS never asks for.
    Bytes header(64);
    ASSERT_TRUE(h.memory().read(h.out().layout.vcb, header));
    EXPECT_EQ(test::be_bytes(header, 32, 4), 64u);
    EXPECT_EQ(test::be_bytes(header, 42, 2), 1u);
    EXPECT_EQ(h.out().console, (std::vector<std::string>{"No certificate entry"}));
    EXPECT_FALSE(h.bios().halted);
  }
}

TEST_F(CertificateFetch, FailedFetchAfterAVerifiedComponentFailsTheDeviceInBothModes) {
  make("a");
  const fw::Program p = signed_program("a");
  for (bool secure : {true, false}) {
    SCOPED_TRACE(secure ? "secure" : "audit");
    test::BiosHarness h({dir / "a.pem"}, secure, kAt);
    ASSERT_TRUE(h.startup());
    h.bios().max_single_vcb_len = 0;
    std::vector<fw::detail::FetchedCertificate> certs;
    EXPECT_EQ(fw::detail::run_secure_components(h.bios(), p, &certs), fw::detail::RunResult::kFailed);
    // request_certificate's line, then zipl_run_secure's; no "Verified component".
    EXPECT_EQ(h.out().console, (std::vector<std::string>{kCouldNot, kCouldNot}));
    EXPECT_FALSE(h.bios().halted);  // the next boot device is tried
    EXPECT_TRUE(certs.empty());
  }
}

TEST_F(CertificateFetch, SameProgramWithTheRealVcssbBoots) {
  make("a");
  test::BiosHarness h({dir / "a.pem"}, true, kAt);
  ASSERT_TRUE(h.startup());
  std::vector<fw::detail::FetchedCertificate> certs;
  EXPECT_EQ(fw::detail::run_secure_components(h.bios(), signed_program("a"), &certs), fw::detail::RunResult::kBooted);
  EXPECT_EQ(h.out().console, (std::vector<std::string>{"Verified component"}));
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].length, test::file_bytes(dir / "a.der").size());
  EXPECT_EQ(certs[0].store_index, 0u);
}

TEST_F(CertificateFetch, OversizedVceInTheLoopFailsTheDeviceInBothModes) {
  make("big", 4000);
  const fw::Program p = signed_program("big");
  for (bool secure : {true, false}) {
    SCOPED_TRACE(secure ? "secure" : "audit");
    test::BiosHarness h({dir / "big.pem"}, secure, kAt);
    ASSERT_TRUE(h.startup());
    h.bios().max_single_vcb_len = 64 + 128 + 64 + 800;
    std::vector<fw::detail::FetchedCertificate> certs;
    EXPECT_EQ(fw::detail::run_secure_components(h.bios(), p, &certs), fw::detail::RunResult::kFailed);
    EXPECT_EQ(h.out().console, (std::vector<std::string>{"No certificate entry", kCouldNot}));
    EXPECT_FALSE(h.bios().halted);
  }
}

TEST(CertificateFetchReal, CertificateTooLargeForAVceIsRefusedBeforeTheGuestRuns) {
  // The only way to a certificate DIAG 0x508 accepts and DIAG 0x320 marks invalid for its size
  // (DER > 8000 bytes) is closed by QEMU: it refuses the store at the first machine reset.
  test::TempDir dir;
  test::CertSpec spec;
  spec.padding_extension = 8200;
  test::make_cert(spec, dir / "huge.pem", dir / "huge.key");
  auto der = test::sh("openssl x509 -in '" + (dir / "huge.pem") + "' -outform DER | wc -c");
  ASSERT_EQ(der.exit_code, 0);
  const size_t der_len = std::stoul(der.out);
  ASSERT_GT(der_len, 8000u);
  // Per-certificate data size (§2.2): 32 + 32 + round_up(DER, 4).
  const size_t data = 64 + (der_len + 3) / 4 * 4;
  test::write_text(dir / "d.img", std::string(1 << 20, '\0'));
  hv::MachineOptions o;
  o.boot_certs = {dir / "huge.pem"};
  o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, dir / "d.img", 1, std::nullopt});
  auto r = hv::Machine::create(o, nullptr);
  ASSERT_FALSE(r);
  // Bad input (exit 3): a certificate file the user must fix (docs/DECISIONS-boot.md, "Exit codes").
  EXPECT_EQ(exit_code_for(r.error().code), 3);
  EXPECT_EQ(r.error().message.rfind("Certificate data size " + std::to_string(data) + " exceeds maximum buffer size 8064", 0),
            0u)
      << r.error().message;
}

}  // namespace
}  // namespace sipl
