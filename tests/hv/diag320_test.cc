// DIAG 0x320 against QEMU target/s390x/diag.c handle_diag_320, include/hw/s390x/ipl/diag320.h:
// every exception, every return code, and byte-exact ISM/VCSSB/VCB/VCE. Expected bytes are
// assembled here from the offsets of QEMU's include/hw/s390x/ipl/diag320.h and from values the
// openssl/certtool/iconv CLIs computed (diag320_certs.h), never from sipl's encoders.
#include "sipl/hv/diag320.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "hv/diag320_certs.h"

namespace sipl::hv {
namespace {

using test::CertSet;
using test::ToolCert;

constexpr std::byte kFill{0xA5};
constexpr uint64_t kMem = 1 << 20;

// Independent big-endian helpers (not base/bytes.h).
uint32_t be32(ByteSpan b, size_t off) {
  return uint32_t(b[off]) << 24 | uint32_t(b[off + 1]) << 16 | uint32_t(b[off + 2]) << 8 |
         uint32_t(b[off + 3]);
}
uint16_t be16(ByteSpan b, size_t off) { return uint16_t(uint32_t(b[off]) << 8 | uint32_t(b[off + 1])); }
void put32(MutableByteSpan b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = std::byte(v >> (24 - 8 * i));
}
void put16(MutableByteSpan b, size_t off, uint16_t v) {
  b[off] = std::byte(v >> 8);
  b[off + 1] = std::byte(v);
}
uint32_t r4(size_t n) { return uint32_t((n + 3) / 4 * 4); }
uint32_t vce_len(const ToolCert& c) { return 128 + 32 + 32 + r4(c.der.size()); }
uint32_t data_size(const ToolCert& c) { return 64 + r4(c.der.size()); }

// The VCE of diag320.h for a certificate, assembled byte by byte.
Bytes expected_vce(const ToolCert& c, uint16_t idx) {
  if (!c.time_valid) {
    Bytes v(72, std::byte{0});
    put32(v, 0, 72);
    put16(v, 6, idx);
    std::copy(c.name_ebcdic.begin(), c.name_ebcdic.end(), v.begin() + 8);
    return v;
  }
  Bytes v(vce_len(c), std::byte{0});
  put32(v, 0, vce_len(c));
  v[4] = std::byte{0x80};
  v[5] = std::byte{c.p521 ? uint8_t{1} : uint8_t{0}};
  put16(v, 6, idx);
  std::copy(c.name_ebcdic.begin(), c.name_ebcdic.end(), v.begin() + 8);
  v[72] = std::byte{1};
  put16(v, 74, 32);
  v[77] = std::byte{1};
  put16(v, 78, 32);
  put32(v, 84, uint32_t(c.der.size()));
  put16(v, 96, 160);
  put16(v, 98, 192);
  std::copy(c.key_id.begin(), c.key_id.end(), v.begin() + 128);
  std::copy(c.fingerprint.begin(), c.fingerprint.end(), v.begin() + 160);
  std::copy(c.der.begin(), c.der.end(), v.begin() + 192);
  return v;
}

// Field-by-field comparison so a failure names the field.
void expect_vce(ByteSpan got, const ToolCert& c, uint16_t idx) {
  SCOPED_TRACE(c.file);
  ASSERT_GE(got.size(), 72u);
  EXPECT_EQ(be16(got, 6), idx) << "cert_idx";
  EXPECT_TRUE(std::equal(c.name_ebcdic.begin(), c.name_ebcdic.end(), got.begin() + 8)) << "name";
  if (!c.time_valid) {
    EXPECT_EQ(be32(got, 0), 72u) << "len";
    EXPECT_EQ(got[4], std::byte{0}) << "flags";
    EXPECT_EQ(got[5], std::byte{0}) << "key_type";
    return;
  }
  ASSERT_EQ(be32(got, 0), vce_len(c)) << "len";
  ASSERT_GE(got.size(), vce_len(c));
  EXPECT_EQ(got[4], std::byte{0x80}) << "flags";
  EXPECT_EQ(got[5], std::byte{c.p521 ? uint8_t{1} : uint8_t{0}}) << "key_type";
  EXPECT_EQ(got[72], std::byte{1}) << "format";
  EXPECT_EQ(be16(got, 74), 32) << "keyid_len";
  EXPECT_EQ(got[77], std::byte{1}) << "hash_type";
  EXPECT_EQ(be16(got, 78), 32) << "hash_len";
  EXPECT_EQ(be32(got, 84), c.der.size()) << "cert_len";
  EXPECT_EQ(be16(got, 96), 160) << "hash_offset";
  EXPECT_EQ(be16(got, 98), 192) << "cert_offset";
  EXPECT_EQ(Bytes(got.begin() + 128, got.begin() + 160), c.key_id) << "key id";
  EXPECT_EQ(Bytes(got.begin() + 160, got.begin() + 192), c.fingerprint) << "hash";
  EXPECT_EQ(Bytes(got.begin() + 192, got.begin() + 192 + c.der.size()), c.der) << "DER";
  Bytes expect = expected_vce(c, idx);
  EXPECT_EQ(Bytes(got.begin(), got.begin() + expect.size()), expect) << "whole VCE";
}

class Diag320Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& set = CertSet::get();
    Findings w;
    auto s = CertificateStore::build(set.paths(), &w);
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = new CertificateStore(std::move(*s));
  }
  static void TearDownTestSuite() { delete store_; store_ = nullptr; }

  void SetUp() override { std::fill(mem_.bytes().begin(), mem_.bytes().end(), kFill); }

  Diag320Result run(uint64_t subcode, uint64_t addr, const CertificateStore* store = nullptr,
                    CpuState cpu = {}, unsigned r1 = 2) {
    Diag320Request req;
    req.cpu = cpu;
    req.r1 = r1;
    req.address = addr;
    req.subcode = subcode;
    req.at = at_;
    return execute_diag320(store ? *store : *store_, mem_, req);
  }
  void set_vcb(uint64_t addr, uint32_t in_len, uint16_t first, uint16_t last) {
    auto m = mem_.bytes().subspan(addr, 64);
    std::fill(m.begin(), m.end(), std::byte{0});
    put32(m, 0, in_len);
    put16(m, 8, first);
    put16(m, 10, last);
  }
  ByteSpan at(uint64_t addr, size_t n) const { return mem_.bytes().subspan(addr, n); }
  bool untouched_from(uint64_t addr) const {
    auto m = mem_.bytes().subspan(addr);
    return std::all_of(m.begin(), m.end(), [](std::byte b) { return b == kFill; });
  }
  static void expect_exception(const Diag320Result& r, ProgramException e) {
    ASSERT_TRUE(r.exception.has_value());
    EXPECT_EQ(*r.exception, e) << to_string(*r.exception);
  }

  static inline CertificateStore* store_ = nullptr;
  FlatGuestMemory mem_{kMem};
  UnixTime at_ = now() + 86400;
  const std::vector<ToolCert>& certs_ = CertSet::get().certs;
};

// --- program exceptions (handle_diag_320) ---

TEST_F(Diag320Test, ProblemStateIsPrivilegedOperationBeforeAnyOtherCheck) {
  CpuState cpu;
  cpu.problem_state = true;
  cpu.cstore = false;
  expect_exception(run(0x1234500, 0x2001, nullptr, cpu, 3), ProgramException::kPrivilegedOperation);
  EXPECT_TRUE(untouched_from(0));
}

TEST_F(Diag320Test, MissingCstoreFeatureIsSpecification) {
  CpuState cpu;
  cpu.cstore = false;
  expect_exception(run(0, 0x2000, nullptr, cpu), ProgramException::kSpecification);
  EXPECT_TRUE(untouched_from(0));
}

TEST_F(Diag320Test, SubcodeBitsAboveTheLowByteAreSpecification) {
  expect_exception(run(0x100, 0x2000), ProgramException::kSpecification);
  expect_exception(run(0x102, 0x2000), ProgramException::kSpecification);
  expect_exception(run(uint64_t{1} << 63, 0x2000), ProgramException::kSpecification);
  EXPECT_TRUE(untouched_from(0));
}

TEST_F(Diag320Test, OddR1IsSpecification) {
  expect_exception(run(0, 0x2000, nullptr, {}, 1), ProgramException::kSpecification);
  expect_exception(run(2, 0x2000, nullptr, {}, 15), ProgramException::kSpecification);
  EXPECT_TRUE(untouched_from(0));
}

// --- subcode 0 and unsupported subcodes ---

TEST_F(Diag320Test, Subcode0StoresOnlyTheFirstIsmWord) {
  auto r = run(0, 0x2000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.rc, 0x0001);
  EXPECT_EQ(Bytes(at(0x2000, 4).begin(), at(0x2000, 4).end()),
            (Bytes{std::byte{0xE0}, std::byte{0}, std::byte{0}, std::byte{0}}));
  EXPECT_TRUE(untouched_from(0x2004));
}

TEST_F(Diag320Test, Subcode0OutsideGuestMemoryIsAddressing) {
  expect_exception(run(0, kMem - 2), ProgramException::kAddressing);
  EXPECT_TRUE(untouched_from(0));
}

TEST_F(Diag320Test, Subcodes3To255AreNotSupported) {
  for (uint64_t sc : {3u, 4u, 128u, 255u}) {
    auto r = run(sc, 0x2000);
    EXPECT_FALSE(r.exception) << sc;
    EXPECT_EQ(r.rc, 0x0102) << sc;
  }
  EXPECT_TRUE(untouched_from(0));
}

// --- subcode 1: VCSSB ---

TEST_F(Diag320Test, VcssbIsByteExactAndEchoesReservedBytes) {
  auto block = mem_.bytes().subspan(0x3000, 128);
  for (size_t i = 0; i < 128; ++i) block[i] = std::byte(0x10 + i);
  put32(block, 0, 128);
  Bytes expect(block.begin(), block.end());
  uint32_t largest = 0, total = 0;
  for (const auto& c : certs_) {
    largest = std::max(largest, data_size(c));
    total += data_size(c);
  }
  expect[7] = std::byte{0};  // version
  put16(expect, 32, uint16_t(certs_.size()));
  put16(expect, 34, 64);
  put32(expect, 80, 64 + 128 + largest);
  put32(expect, 84, 64 + uint32_t(certs_.size()) * 128 + total);

  auto r = run(1, 0x3000);
  ASSERT_TRUE(r.ok()) << r.rc;
  EXPECT_EQ(Bytes(block.begin(), block.end()), expect);
  EXPECT_EQ(be16(block, 32), 5);
  EXPECT_TRUE(untouched_from(0x3080));
}

TEST_F(Diag320Test, VcssbOfAnEmptyStoreWritesOnlyLength4) {
  CertificateStore empty;
  put32(mem_.bytes(), 0x3000, 128);
  auto r = run(1, 0x3000, &empty);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(be32(mem_.bytes(), 0x3000), 4u);
  EXPECT_TRUE(untouched_from(0x3004));
}

TEST_F(Diag320Test, VcssbLengthOtherThan128IsRc0202AndNothingWritten) {
  for (uint32_t len : {0u, 4u, 127u, 129u, 256u, 0xFFFFFFFFu}) {
    put32(mem_.bytes(), 0x3000, len);
    auto r = run(1, 0x3000);
    EXPECT_FALSE(r.exception);
    EXPECT_EQ(r.rc, 0x0202) << len;
    EXPECT_EQ(be32(mem_.bytes(), 0x3000), len);
    EXPECT_TRUE(untouched_from(0x3004));
  }
}

TEST_F(Diag320Test, VcssbNotDoublewordAlignedIsSpecification) {
  put32(mem_.bytes(), 0x3004, 128);
  expect_exception(run(1, 0x3004), ProgramException::kSpecification);
  expect_exception(run(1, 0x3001), ProgramException::kSpecification);
}

TEST_F(Diag320Test, VcssbPartlyOutsideGuestMemoryIsAddressing) {
  put32(mem_.bytes(), kMem - 64, 128);
  expect_exception(run(1, kMem - 64), ProgramException::kAddressing);
  expect_exception(run(1, kMem + 4096), ProgramException::kAddressing);
  EXPECT_EQ(be32(mem_.bytes(), kMem - 64), 128u);
}

// --- subcode 2: VCB and VCEs ---

TEST_F(Diag320Test, VcbWithWholeStoreIsByteExact) {
  set_vcb(0x4000, 8192, 1, 5);
  auto r = run(2, 0x4000);
  ASSERT_TRUE(r.ok()) << r.rc;
  uint32_t out = 64;
  for (const auto& c : certs_) out += c.time_valid ? vce_len(c) : 72;
  ByteSpan vcb = at(0x4000, 8192);
  EXPECT_EQ(be32(vcb, 0), 8192u) << "in_len echoed";
  EXPECT_EQ(be16(vcb, 8), 1) << "first";
  EXPECT_EQ(be16(vcb, 10), 5) << "last";
  EXPECT_EQ(be32(vcb, 32), out) << "out_len";
  EXPECT_EQ(be16(vcb, 40), 5) << "stored_ct (invalid VCEs count)";
  EXPECT_EQ(be16(vcb, 42), 0) << "remain_ct";
  size_t off = 64;
  for (size_t i = 0; i < certs_.size(); ++i) {
    expect_vce(vcb.subspan(off), certs_[i], uint16_t(i + 1));
    off += be32(vcb, off);
  }
  EXPECT_EQ(off, out);
  EXPECT_TRUE(untouched_from(0x4000 + out)) << "nothing written past out_len";
  // The time check failures are reported, like QEMU's error_report.
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].id, "diag320.cert_expired");
  EXPECT_EQ(r.findings[1].id, "diag320.cert_not_yet_valid");
}

TEST_F(Diag320Test, P521KeyIsKeyType1AndOthersSelfDescribing) {
  ASSERT_TRUE(CertSet::get().by_file("p521.pem").p521);
  ASSERT_FALSE(CertSet::get().by_file("p384.pem").p521);
  set_vcb(0x4000, 4096, 3, 3);
  ASSERT_TRUE(run(2, 0x4000).ok());
  EXPECT_EQ(at(0x4000 + 64 + 5, 1)[0], std::byte{1});
  set_vcb(0x4000, 4096, 2, 2);
  ASSERT_TRUE(run(2, 0x4000).ok());
  EXPECT_EQ(at(0x4000 + 64 + 5, 1)[0], std::byte{0});
}

TEST_F(Diag320Test, ExpiredAndNotYetValidCertificatesAreInvalid72ByteEntries) {
  set_vcb(0x4000, 4096, 4, 5);
  ASSERT_TRUE(run(2, 0x4000).ok());
  EXPECT_EQ(be32(mem_.bytes(), 0x4000 + 32), 64u + 72 + 72);
  Bytes first = expected_vce(CertSet::get().by_file("expired.pem"), 4);
  Bytes second = expected_vce(CertSet::get().by_file("future.pem"), 5);
  EXPECT_EQ(Bytes(at(0x4040, 72).begin(), at(0x4040, 72).end()), first);
  EXPECT_EQ(Bytes(at(0x4088, 72).begin(), at(0x4088, 72).end()), second);
  EXPECT_TRUE(untouched_from(0x4000 + 64 + 144));
}

TEST_F(Diag320Test, ValidityFollowsTheTimeOfTheRequest) {
  at_ = parse_time("2001-06-01T00:00:00Z").value();
  set_vcb(0x4000, 4096, 4, 4);
  ASSERT_TRUE(run(2, 0x4000).ok());
  EXPECT_EQ(mem_.bytes()[0x4044], std::byte{0x80}) << "expired.pem is valid in 2001";
  EXPECT_EQ(be32(mem_.bytes(), 0x4040), 128 + 64 + r4(CertSet::get().by_file("expired.pem").der.size()));
}

TEST_F(Diag320Test, InLenZeroIsRejectedWith0204) {
  set_vcb(0x4000, 0, 1, 5);
  auto r = run(2, 0x4000);
  EXPECT_FALSE(r.exception);
  EXPECT_EQ(r.rc, 0x0204);
  EXPECT_EQ(be32(mem_.bytes(), 0x4020), 0u) << "header untouched";
  EXPECT_TRUE(untouched_from(0x4040));
}

TEST_F(Diag320Test, InLenNotAMultipleOf4096Is0204) {
  for (uint32_t len : {64u, 4095u, 4097u, 6144u}) {
    set_vcb(0x4000, len, 1, 5);
    auto r = run(2, 0x4000);
    EXPECT_EQ(r.rc, 0x0204) << len;
    EXPECT_TRUE(untouched_from(0x4040));
  }
}

TEST_F(Diag320Test, FirstAboveLastIs0302) {
  set_vcb(0x4000, 4096, 3, 2);
  auto r = run(2, 0x4000);
  EXPECT_FALSE(r.exception);
  EXPECT_EQ(r.rc, 0x0302);
  EXPECT_EQ(be32(mem_.bytes(), 0x4020), 0u);
  EXPECT_TRUE(untouched_from(0x4040));
}

TEST_F(Diag320Test, IndexZeroForBothReturnsTheHeaderOnly) {
  set_vcb(0x4000, 4096, 0, 0);
  ASSERT_TRUE(run(2, 0x4000).ok());
  EXPECT_EQ(be32(mem_.bytes(), 0x4020), 64u);
  EXPECT_EQ(be16(mem_.bytes(), 0x4028), 0);
  EXPECT_EQ(be16(mem_.bytes(), 0x402A), 0);
  EXPECT_TRUE(untouched_from(0x4040));
}

TEST_F(Diag320Test, IndexZeroAsFirstMeansOne) {
  set_vcb(0x4000, 4096, 0, 2);
  ASSERT_TRUE(run(2, 0x4000).ok());
  ByteSpan vcb = at(0x4000, 4096);
  EXPECT_EQ(be16(vcb, 8), 0) << "first echoed as given";
  EXPECT_EQ(be16(vcb, 40), 2);
  expect_vce(vcb.subspan(64), certs_[0], 1);
  expect_vce(vcb.subspan(64 + vce_len(certs_[0])), certs_[1], 2);
  EXPECT_EQ(be32(vcb, 32), 64 + vce_len(certs_[0]) + vce_len(certs_[1]));
}

TEST_F(Diag320Test, RangeOutsideTheStoreReturnsTheHeaderOnlyWithRc1) {
  for (auto [first, last] : {std::pair<uint16_t, uint16_t>{1, 6}, {6, 6}, {2, 0xFFFF}}) {
    set_vcb(0x4000, 4096, first, last);
    auto r = run(2, 0x4000);
    ASSERT_TRUE(r.ok()) << first << ".." << last;
    EXPECT_EQ(be32(mem_.bytes(), 0x4020), 64u);
    EXPECT_EQ(be16(mem_.bytes(), 0x4028), 0);
    EXPECT_EQ(be16(mem_.bytes(), 0x402A), 0);
    EXPECT_TRUE(untouched_from(0x4040));
  }
}

TEST_F(Diag320Test, TooSmallBufferStoresWhatFitsAndCountsTheRest) {
  // The same file five times: five indices, no de-duplication (hw/s390x/cert-store.c).
  const auto& rsa = CertSet::get().by_file("rsa.pem");
  Findings w;
  auto five = CertificateStore::build(std::vector<std::string>(5, rsa.path), &w);
  ASSERT_TRUE(five) << five.error().to_string();
  const uint32_t fit = (4096 - 64) / vce_len(rsa);
  ASSERT_LT(fit, 5u) << "RSA 2048 VCEs should not all fit in one page";
  set_vcb(0x4000, 4096, 1, 5);
  auto r = run(2, 0x4000, &*five);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(be16(mem_.bytes(), 0x4028), fit) << "stored_ct";
  EXPECT_EQ(be16(mem_.bytes(), 0x402A), 5 - fit) << "remain_ct";
  EXPECT_EQ(be32(mem_.bytes(), 0x4020), 64 + fit * vce_len(rsa)) << "out_len";
  for (uint32_t i = 0; i < fit; ++i) expect_vce(at(0x4040 + i * vce_len(rsa), 4096), rsa, uint16_t(i + 1));
  EXPECT_TRUE(untouched_from(0x4000 + 64 + fit * vce_len(rsa)));
}

TEST_F(Diag320Test, VcbNotPageAlignedIsSpecification) {
  set_vcb(0x4800, 4096, 1, 1);
  expect_exception(run(2, 0x4800), ProgramException::kSpecification);
  expect_exception(run(2, 0x4008), ProgramException::kSpecification);
  EXPECT_EQ(be32(mem_.bytes(), 0x4820), 0u);
}

TEST_F(Diag320Test, VcbOutsideGuestMemoryIsAddressing) {
  expect_exception(run(2, kMem), ProgramException::kAddressing);
  expect_exception(run(2, uint64_t{1} << 40), ProgramException::kAddressing);
}

TEST_F(Diag320Test, VceRunningOffTheEndOfGuestMemoryIsAddressingAndLeavesTheHeader) {
  // in_len promises two pages but the guest has only one: the VCEs that fit in it are written,
  // the one crossing the end faults, and the header is never updated.
  const auto& rsa = CertSet::get().by_file("rsa.pem");
  Findings w;
  auto five = CertificateStore::build(std::vector<std::string>(5, rsa.path), &w);
  ASSERT_TRUE(five) << five.error().to_string();
  ASSERT_GT(64 + 5 * vce_len(rsa), 4096u);
  const uint64_t addr = kMem - 4096;
  set_vcb(addr, 8192, 1, 5);
  expect_exception(run(2, addr, &*five), ProgramException::kAddressing);
  EXPECT_EQ(be32(mem_.bytes(), addr + 32), 0u) << "header not written";
  expect_vce(at(addr + 64, 4096 - 64), rsa, 1);
}

TEST_F(Diag320Test, BuildVceMatchesTheToolsForEveryCertificate) {
  for (size_t i = 0; i < certs_.size(); ++i) {
    Bytes v = build_vce(store_->entries()[i], i, at_);
    EXPECT_EQ(v, expected_vce(certs_[i], uint16_t(i + 1))) << certs_[i].file;
    EXPECT_EQ(full_vce_length(store_->entries()[i]), vce_len(certs_[i]));
  }
}

// QEMU's key-type step (gnutls_x509_crt_get_pk_ecc_raw) fails for an EC key on a curve GnuTLS
// does not support: the VCE is the 72-byte invalid entry with key type 0, the next one is whole.
TEST(Diag320KeyUnreadable, AKeyGnutlsCannotReadGivesAnInvalidEntry) {
  test::TempDir t;
  test::must_sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp256k1 -nodes -keyout /dev/null "
                "-subj /CN=k1 -days 30 -out " + (t / "k1.pem") + " 2>/dev/null");
  test::must_sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null "
                "-subj /CN=p256 -days 30 -out " + (t / "p256.pem") + " 2>/dev/null");
  ASSERT_NE(test::sh("certtool --key-id --hash sha256 --infile " + (t / "k1.pem")).exit_code, 0)
      << "GnuTLS reads secp256k1 keys on this machine: the test's premise is gone";
  const Bytes k1_name = test::test_bytes(test::must_sh("printf '%-64s' k1.pem | iconv -f ASCII -t IBM037"));
  const Bytes p256_key_id = test::hex_bytes(test::must_sh("certtool --key-id --hash sha256 --infile " + (t / "p256.pem")));
  const size_t p256_der = test::must_sh("openssl x509 -in " + (t / "p256.pem") + " -outform DER").size();

  Findings w;
  auto store = CertificateStore::build({t / "k1.pem", t / "p256.pem"}, &w);
  ASSERT_TRUE(store) << store.error().to_string();
  FlatGuestMemory mem(kMem);
  auto m = mem.bytes().subspan(0x4000, 64);
  std::fill(m.begin(), m.end(), std::byte{0});
  put32(m, 0, 8192);
  put16(m, 8, 1);
  put16(m, 10, 2);
  Diag320Request req;
  req.address = 0x4000;
  req.subcode = 2;
  req.r1 = 2;
  req.at = now();
  auto r = execute_diag320(*store, mem, req);
  ASSERT_TRUE(r.ok());
  const ByteSpan b = mem.bytes();
  EXPECT_EQ(be16(b, 0x4000 + 40), 2) << "stored_ct";
  EXPECT_EQ(be32(b, 0x4040), 72u) << "len";
  EXPECT_EQ(b[0x4044], std::byte{0}) << "flags: not valid";
  EXPECT_EQ(b[0x4045], std::byte{0}) << "key_type";
  EXPECT_EQ(be16(b, 0x4046), 1) << "cert_idx";
  EXPECT_EQ(Bytes(b.begin() + 0x4048, b.begin() + 0x4088), k1_name) << "name";
  const size_t second = 0x4040 + 72;
  EXPECT_EQ(be32(b, second), 128 + 32 + 32 + r4(p256_der)) << "len";
  EXPECT_EQ(b[second + 4], std::byte{0x80}) << "flags: valid";
  EXPECT_EQ(be16(b, second + 6), 2) << "cert_idx";
  EXPECT_EQ(Bytes(b.begin() + second + 128, b.begin() + second + 160), p256_key_id) << "key id";
  EXPECT_EQ(be32(b, 0x4000 + 32), 64u + 72 + 128 + 64 + r4(p256_der)) << "out_len";
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].id, "diag320.cert_key_unreadable");
  EXPECT_EQ(r.findings[0].message, "certificate 1 (" + (t / "k1.pem") +
                                       "): QEMU cannot read its public key (GnuTLS does not support its EC curve "
                                       "secp256k1): VCE marked invalid");
}

TEST(ProgramExceptionNames, AreDistinct) {
  EXPECT_STREQ(to_string(ProgramException::kPrivilegedOperation), "privileged-operation");
  EXPECT_STREQ(to_string(ProgramException::kSpecification), "specification");
  EXPECT_STREQ(to_string(ProgramException::kAddressing), "addressing");
}

}  // namespace
}  // namespace sipl::hv
