// DIAG 0x508 on guest memory: program exceptions, every return code in QEMU's order, and the
// SVB written back byte for byte. Certificates and signatures come from the openssl CLI.
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include <fmt/format.h>

#include "sipl/base/bytes.h"
#include "sipl/hv/diag508.h"
#include "sipl/hv/diag508_layout.h"
#include "support/must.h"
#include "support/run.h"

namespace sipl::hv {
namespace {

using test::must;

constexpr uint64_t kSvb = 0x1000, kComp = 0x10000, kSig = 0x80000, kMem = 1 << 20;

class Diag508Test : public ::testing::Test {
 protected:
  static std::unique_ptr<test::TempDir> dir;
  static std::string comp, sig;
  static size_t signer_der_size;

  static std::string p(const std::string& n) { return (*dir) / n; }
  static void SetUpTestSuite() {
    dir = std::make_unique<test::TempDir>();
    for (std::string n : {"signer", "other"})
      must(fmt::format("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout {0}.key -subj /CN={1} -days 30 -out {0}.pem 2>/dev/null",
                       p(n), n));
    must(fmt::format("head -c 5000 /dev/urandom > {}", p("comp")));
    must(fmt::format("openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -signer {} -inkey {} -in {} -out {}",
                     p("signer.pem"), p("signer.key"), p("comp"), p("comp.p7s")));
    comp = test::read_text(p("comp"));
    sig = test::read_text(p("comp.p7s"));
    signer_der_size = std::stoul(test::sh(fmt::format("openssl x509 -in {} -outform DER | wc -c", p("signer.pem"))).out);
  }
  static void TearDownTestSuite() { dir.reset(); }

  CertificateStore store(const std::vector<std::string>& names) {
    std::vector<std::string> paths;
    for (const auto& n : names) paths.push_back(p(n + ".pem"));
    Findings w;
    auto s = CertificateStore::build(paths, &w);
    EXPECT_TRUE(s) << s.error().to_string();
    return *s;
  }

  // Places component, signature and an SVB describing them into guest memory.
  std::array<std::byte, 64> place(uint64_t comp_len, uint64_t sig_len, uint32_t length = 64) {
    mem.write(kComp, as_bytes(comp));
    mem.write(kSig, as_bytes(sig));
    std::array<std::byte, 64> b{};
    store_u32_be(b, 0, length);
    store_u64_be(b, 32, comp_len);
    store_u64_be(b, 40, kComp);
    store_u64_be(b, 48, sig_len);
    store_u64_be(b, 56, kSig);
    mem.write(kSvb, b);
    return b;
  }
  Diag508Result run(const CertificateStore& s, uint64_t subcode = 0x8000, uint64_t addr = kSvb, unsigned r1 = 2,
                    bool problem = false) {
    Diag508Request rq;
    rq.problem_state = problem;
    rq.r1 = r1;
    rq.address = addr;
    rq.subcode = subcode;
    rq.at = now();
    return execute_diag508(s, mem, rq);
  }
  Bytes svb_now() { return Bytes(mem.bytes().begin() + kSvb, mem.bytes().begin() + kSvb + 64); }

  FlatGuestMemory mem{kMem};
};

std::unique_ptr<test::TempDir> Diag508Test::dir;
std::string Diag508Test::comp, Diag508Test::sig;
size_t Diag508Test::signer_der_size = 0;

TEST_F(Diag508Test, QueryReturnsTheSubcodeMaskAndIgnoresTheAddress) {
  auto r = run(CertificateStore{}, 0, kMem + 4096);
  EXPECT_FALSE(r.exception);
  EXPECT_EQ(r.rc, 0x8000);
}

TEST_F(Diag508Test, ProgramExceptions) {
  auto s = store({"signer"});
  EXPECT_EQ(run(s, 0x8000, kSvb, 2, true).exception, ProgramException::kPrivilegedOperation);
  EXPECT_EQ(run(s, 0x8000, kSvb, 3).exception, ProgramException::kSpecification);
  EXPECT_EQ(run(s, 0x18000).exception, ProgramException::kSpecification);
  EXPECT_EQ(run(s, 0x10000).exception, ProgramException::kSpecification);
  EXPECT_EQ(run(s, 0x0001).exception, ProgramException::kSpecification);
  EXPECT_EQ(run(s, 0x4000).exception, ProgramException::kSpecification);
  EXPECT_EQ(run(s, 0x8000, kMem - 63).exception, ProgramException::kAddressing);
  EXPECT_FALSE(run(s, 0x8000, kMem - 64).exception);
  // Addressing is checked even when the store is empty.
  EXPECT_EQ(run(CertificateStore{}, 0x8000, kMem).exception, ProgramException::kAddressing);
}

TEST_F(Diag508Test, EmptyStoreComesBeforeTheBlockIsRead) {
  auto before = place(comp.size(), sig.size(), 12345);
  auto r = run(CertificateStore{});
  EXPECT_EQ(r.rc, 0x0102);
  EXPECT_EQ(svb_now(), Bytes(before.begin(), before.end()));
}

TEST_F(Diag508Test, ReturnCodesInQemuOrder) {
  auto s = store({"signer"});
  place(0, 0, 63);
  EXPECT_EQ(run(s).rc, 0x0502);  // length before component
  place(0, sig.size());
  EXPECT_EQ(run(s).rc, 0x0202);
  place(comp.size(), sig.size());
  store_u64_be(mem.bytes(), kSvb + 40, 0);
  EXPECT_EQ(run(s).rc, 0x0202);
  place(0x10000001, 0);
  auto r = run(s);
  EXPECT_EQ(r.rc, 0x0202);  // component before signature
  // QEMU's warn_report, then the refusal with its return code.
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].message, "DIAG 0x508: component length 268435457 exceeds current maximum 268435456");
  EXPECT_EQ(r.findings[1].id, "diag508.component_length");
  place(0x10000000, 0);  // exactly 256 MiB passes the component check
  EXPECT_EQ(run(s).rc, 0x0302);
  place(comp.size(), 4097);
  r = run(s);
  EXPECT_EQ(r.rc, 0x0302);
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].message, "DIAG 0x508: signature length 4097 exceeds current maximum 4096");
  EXPECT_EQ(r.findings[1].id, "diag508.signature_length");
  place(comp.size(), sig.size());
  store_u64_be(mem.bytes(), kSvb + 56, 0);
  EXPECT_EQ(run(s).rc, 0x0302);
}

TEST_F(Diag508Test, VerifiedWritesIndexAndDerLengthBackIntoTheWholeBlock) {
  auto s = store({"other", "signer"});
  auto block = place(comp.size(), sig.size());
  block[7] = std::byte{0};
  block[16] = std::byte{0xEE};  // overwritten by the index
  mem.write(kSvb, block);
  auto r = run(s);
  ASSERT_TRUE(r.ok()) << r.rc;
  Bytes expect(block.begin(), block.end());
  store_u8(expect, 16, 1);
  store_u64_be(expect, 24, signer_der_size);
  EXPECT_EQ(to_hex(svb_now()), to_hex(expect));
  ASSERT_TRUE(r.verdict);
  EXPECT_EQ(r.verdict->candidates[0].status, crypto::CandidateStatus::kWrongKey);
}

TEST_F(Diag508Test, NotVerifiedLeavesTheBlockAlone) {
  auto s = store({"other"});
  auto block = place(comp.size(), sig.size());
  EXPECT_EQ(run(s).rc, 0x0402);
  EXPECT_EQ(svb_now(), Bytes(block.begin(), block.end()));
  // One byte short of the signed length: a different component.
  place(comp.size() - 1, sig.size());
  EXPECT_EQ(run(store({"signer"})).rc, 0x0402);
  // A garbage signature blob is "verification failed", not "invalid signature".
  place(comp.size(), sig.size());
  mem.write(kSig, as_bytes(std::string(sig.size(), 'x')));
  EXPECT_EQ(run(store({"signer"})).rc, 0x0402);
  // Component outside guest memory.
  place(comp.size(), sig.size());
  store_u64_be(mem.bytes(), kSvb + 40, kMem - 10);
  auto r = run(store({"signer"}));
  EXPECT_EQ(r.rc, 0x0402);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].id, "diag508.not_in_guest_memory");
}

}  // namespace
}  // namespace sipl::hv
