// The guest's view of an IPL, read from IPLB + IIRB bytes the test lays out by hand from the
// upstream offsets (Linux arch/s390/boot/ipl_report.c, arch/s390/include/uapi/asm/ipl.h, QEMU
// include/hw/s390x/ipl/qipl.h), never through a sipl writer. Certificates are made by the openssl
// CLI; their subject, key id and fingerprint are what openssl prints.
#include "sipl/guest/ipl_report.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sipl/guest/ipl_report_json.h"
#include "support/must.h"
#include "support/run.h"

namespace sipl::guest {
namespace {

constexpr uint64_t kMem = 64 * 1024;
constexpr uint64_t kIplb = 0x2000;
constexpr uint64_t kReport = 0x3000;  // kIplb + 4096, as QEMU places it
constexpr uint64_t kCertA = 0x8000;
constexpr uint64_t kCertB = 0x9000;
constexpr uint64_t kPsw = 0x0008000080010000;

std::string lower_no_colons(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct OpensslCert {
  Bytes der;
  std::string subject, key_id, fingerprint, skid;
};

// Two RSA certificates (Debian 12's kernel loads RSA keys into .platform; see
// linux_x509_test.cc for ECDSA) and what openssl says about them, made once for the suite.
struct Certs {
  test::TempDir dir;
  OpensslCert a, b;
  Certs() {
    a = make("a", "/O=sipl tests/CN=Guest key A");
    b = make("b", "/O=sipl tests/CN=Guest key B");
  }
  OpensslCert make(const std::string& n, const std::string& subj) {
    const std::string d = "cd '" + dir.path() + "' && ";
    test::must_out(d + "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + n +
           ".key -out " + n + ".pem -days 30 -subj '" + subj + "' 2>/dev/null && openssl x509 -in " + n +
           ".pem -outform DER -out " + n + ".der");
    OpensslCert c;
    const std::string der = test::read_text(dir / (n + ".der"));
    c.der.resize(der.size());
    std::transform(der.begin(), der.end(), c.der.begin(), [](char ch) { return std::byte(ch); });
    c.subject = test::must_out(d + "openssl x509 -in " + n + ".pem -noout -subject -nameopt RFC2253").substr(8);
    c.fingerprint = lower_no_colons(
        test::must_out(d + "openssl x509 -in " + n + ".pem -noout -fingerprint -sha256 | cut -d= -f2"));
    c.key_id = test::must_out(d + "openssl x509 -in " + n + ".pem -noout -pubkey | openssl pkey -pubin -outform DER | "
                      "openssl dgst -sha256 -r | cut -d' ' -f1");
    c.skid = lower_no_colons(test::must_out(d + "openssl x509 -in " + n + ".pem -noout -ext subjectKeyIdentifier | tail -n 1 | "
                                    "tr -d ' '"));
    return c;
  }
};

const Certs& certs() {
  static const Certs c;
  return c;
}

// --- The test's own big-endian encoder of the upstream layouts. ---
void put(Bytes& b, size_t off, uint64_t v, int width) {
  if (b.size() < off + width) b.resize(off + width);
  for (int i = 0; i < width; ++i) b[off + i] = std::byte(static_cast<uint8_t>(v >> (8 * (width - 1 - i))));
}

struct Comp {
  uint64_t addr, len;
  uint8_t flags;
  uint16_t cert_index;
  uint32_t cei;
};
struct CertEntry {
  uint64_t addr, len;
};

Bytes block_header(uint32_t len, uint8_t type, uint16_t iiei = 0) {
  Bytes b(16);
  put(b, 0, len, 4);
  put(b, 4, type, 1);
  put(b, 8, iiei, 2);
  return b;
}

Bytes comp_block(const std::vector<Comp>& cs, uint16_t iiei = 0) {
  Bytes b = block_header(static_cast<uint32_t>(16 + 32 * cs.size()), 2, iiei);
  b.resize(16 + 32 * cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    const size_t o = 16 + 32 * i;
    put(b, o + 0x00, cs[i].addr, 8);
    put(b, o + 0x08, cs[i].len, 8);
    put(b, o + 0x10, cs[i].flags, 1);
    put(b, o + 0x16, cs[i].cert_index, 2);
    put(b, o + 0x18, cs[i].cei, 4);
  }
  return b;
}

Bytes cert_block(const std::vector<CertEntry>& es) {
  Bytes b = block_header(static_cast<uint32_t>(16 + 16 * es.size()), 1);
  b.resize(16 + 16 * es.size());
  for (size_t i = 0; i < es.size(); ++i) {
    put(b, 16 + 16 * i, es[i].addr, 8);
    put(b, 16 + 16 * i + 8, es[i].len, 8);
  }
  return b;
}

Bytes iirb(const std::vector<Bytes>& blocks) {
  Bytes b(16);
  for (const auto& blk : blocks) b.insert(b.end(), blk.begin(), blk.end());
  put(b, 0, b.size(), 4);
  return b;
}

struct Guest {
  hv::FlatGuestMemory mem{kMem};
  void place(uint64_t addr, const Bytes& b) { ASSERT_TRUE(mem.write(addr, b)); }
  void iplb(uint8_t flags, uint32_t len = 4096, uint8_t version = 0, uint64_t at = kIplb) {
    Bytes h(8);
    put(h, 0, len, 4);
    put(h, 4, flags, 1);
    put(h, 7, version, 1);
    h.resize(16);
    put(h, 8, len - 8, 4);  // block 0 len
    put(h, 12, 5, 1);       // pbt: whatever the IPL type; Linux's report code does not look
    place(at, h);
    Bytes lowcore_ptr;
    put(lowcore_ptr, 0, at, 4);
    place(0x14, lowcore_ptr);
  }
  // A report as QEMU writes it: components (stage 3 signed+verified by A, kernel by B,
  // an unsigned initrd, the PSW pseudo-entry), then the certificate list.
  void qemu_report(uint8_t flags) {
    iplb(flags);
    place(kCertA, certs().a.der);
    place(kCertB, certs().b.der);
    place(kReport, iirb({comp_block({{0xa000, 0x6000, 0xc0, 0, 0},
                                     {0x10000, 0x2000, 0xc0, 1, 0},
                                     {0x20000, 0x1000, 0x00, 0, 0},
                                     {kPsw, 0, 0x00, 0, 0}}),
                         cert_block({{kCertA, certs().a.der.size()}, {kCertB, certs().b.der.size()}})}));
  }
};

std::vector<std::string> ids(const Findings& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.id);
  return out;
}

TEST(IplReport, NormalModeHasNoReportAndSecureZero) {
  Guest g;
  g.iplb(0x00);
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_FALSE(v->secure);
  EXPECT_TRUE(v->iplb_valid);
  EXPECT_EQ(v->iplb_len, 4096u);
  EXPECT_FALSE(v->report.has_value());
  EXPECT_FALSE(v->has_secure.has_value());
  EXPECT_TRUE(v->findings.empty());
  EXPECT_TRUE(v->platform_keyring().empty());
}

TEST(IplReport, AuditModeReportsWithSecureZero) {
  Guest g;
  g.qemu_report(0x20);
  auto v = read_ipl_report(g.mem, kIplb, false);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_FALSE(v->secure);
  EXPECT_EQ(v->has_secure, std::optional<bool>(false));
  ASSERT_TRUE(v->report.has_value());
  EXPECT_TRUE(v->report->used_by_linux());
  EXPECT_EQ(v->report->components.size(), 4u);
  EXPECT_EQ(v->platform_keyring().size(), 2u);
  EXPECT_TRUE(v->findings.empty());
}

TEST(IplReport, SecureModeDecodesEveryField) {
  Guest g;
  g.qemu_report(0x60);
  auto v = read_ipl_report_from_lowcore(g.mem, true);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->secure);
  EXPECT_EQ(v->has_secure, std::optional<bool>(true));
  EXPECT_EQ(v->iplb_addr, kIplb);
  EXPECT_EQ(v->hdr_flags, 0x60);
  ASSERT_TRUE(v->report.has_value());
  const auto& r = *v->report;
  EXPECT_EQ(r.addr, kReport);
  EXPECT_EQ(r.len, 16u + 16 + 4 * 32 + 16 + 2 * 16);
  EXPECT_EQ(r.iiei, 0);
  ASSERT_EQ(r.components.size(), 4u);
  EXPECT_EQ(r.components[0].offset, 32u);
  EXPECT_EQ(r.components[0].addr, 0xa000u);
  EXPECT_EQ(r.components[0].len, 0x6000u);
  EXPECT_TRUE(r.components[0].is_signed);
  EXPECT_TRUE(r.components[0].verified);
  EXPECT_EQ(r.components[0].cert_index, 0);
  EXPECT_EQ(r.components[0].status(), "signed, verified");
  EXPECT_EQ(r.components[1].cert_index, 1);
  EXPECT_FALSE(r.components[2].is_signed);
  EXPECT_EQ(r.components[2].status(), "not signed");
  EXPECT_EQ(r.components[3].addr, kPsw);
  EXPECT_EQ(r.components[3].len, 0u);
  ASSERT_EQ(r.certificates.size(), 2u);
  EXPECT_EQ(r.certificates[0].offset, 16u + 144 + 16);
  EXPECT_EQ(r.certificates[0].addr, kCertA);
  EXPECT_EQ(r.certificates[0].len, certs().a.der.size());
  EXPECT_EQ(r.certificates[0].subject, certs().a.subject);
  EXPECT_EQ(r.certificates[0].subject, "CN=Guest key A,O=sipl tests");
  EXPECT_EQ(r.certificates[0].key_id, certs().a.key_id);
  EXPECT_EQ(r.certificates[0].fingerprint, certs().a.fingerprint);
  EXPECT_EQ(r.certificates[1].subject, certs().b.subject);
  EXPECT_EQ(r.certificates[1].key_id, certs().b.key_id);
  EXPECT_EQ(r.certificates[1].fingerprint, certs().b.fingerprint);
  EXPECT_EQ(r.certificates[0].key_id.size(), 64u);
}

TEST(IplReport, TextIsLinuxsDmesgAndSysfs) {
  Guest g;
  g.qemu_report(0x60);
  auto v = read_ipl_report(g.mem, kIplb, true);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(to_text(*v),
            "/sys/firmware/ipl/secure: 1\n"
            "/sys/firmware/ipl/has_secure: 1\n"
            "setup: Linux is running with Secure-IPL enabled\n"
            "setup: The IPL report contains the following components:\n"
            "setup: 000000000000a000 - 0000000000010000 (signed, verified)\n"
            "setup: 0000000000010000 - 0000000000012000 (signed, verified)\n"
            "setup: 0000000000020000 - 0000000000021000 (not signed)\n"
            "setup: 0008000080010000 - 0008000080010000 (not signed)\n"
            "integrity: Loading X.509 certificate: IPL:db\n"
            "integrity: Loaded X.509 cert 'sipl tests: Guest key A: " + certs().a.skid + "'\n"
            "integrity: Loading X.509 certificate: IPL:db\n"
            "integrity: Loaded X.509 cert 'sipl tests: Guest key B: " + certs().b.skid + "'\n");
}

TEST(IplReport, JsonHasSecureKeyringAndComponents) {
  Guest g;
  g.qemu_report(0x60);
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  const auto j = to_json(*v);
  EXPECT_EQ(j["secure"], true);
  EXPECT_TRUE(j["has_secure"].is_null());
  EXPECT_EQ(j["iplb"]["hdr_flags"], "0x60");
  EXPECT_EQ(j["report"]["address"], "0x0000000000003000");
  EXPECT_EQ(j["report"]["used_by_linux"], true);
  ASSERT_EQ(j["platform_keyring"].size(), 2u);
  EXPECT_EQ(j["platform_keyring"][0]["subject"], certs().a.subject);
  EXPECT_EQ(j["platform_keyring"][0]["key_id"], certs().a.key_id);
  EXPECT_EQ(j["platform_keyring"][1]["fingerprint_sha256"], certs().b.fingerprint);
  ASSERT_EQ(j["components"].size(), 4u);
  EXPECT_EQ(j["components"][1].dump(),
            R"({"address":"0x0000000000010000","length":8192,"flags":"0xc0","signed":true,"verified":true,)"
            R"("status":"signed, verified","certificate_index":1,"cei":"0x00000000","cei_bits":[]})");
  EXPECT_EQ(j["findings"].size(), 0u);
}

TEST(IplReport, BlocksInAnyOrderAsLinuxKexecWritesThem) {
  Guest g;
  g.iplb(0x60, 0x1f8);  // a Linux-built IPLB copy: report right after, 8-aligned
  g.place(kCertA, certs().a.der);
  g.place(kIplb + 0x1f8, iirb({cert_block({{kCertA, certs().a.der.size()}}),
                               comp_block({{0x10000, 0x5000, 0x80, 0, 0}})}));
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  ASSERT_TRUE(v->report && v->report->used_by_linux());
  EXPECT_EQ(v->report->addr, kIplb + 0x1f8);
  ASSERT_EQ(v->report->components.size(), 1u);
  EXPECT_EQ(v->report->components[0].status(), "signed, verification failed");
  EXPECT_EQ(v->report->certificates[0].subject, certs().a.subject);
}

TEST(IplReport, UnalignedIplbLengthIsAlignedUpLikeLinux) {
  Guest g;
  g.iplb(0x20, 0x1f4);
  g.place(kCertA, certs().a.der);
  g.place(kIplb + 0x1f8, iirb({comp_block({}), cert_block({{kCertA, certs().a.der.size()}})}));
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->report->addr, kIplb + 0x1f8);
  EXPECT_TRUE(v->report->used_by_linux());
  EXPECT_EQ(ids(v->findings), std::vector<std::string>{"guest.iplb_len_unaligned"});
}

TEST(IplReport, EveryCertificateGoesToPlatformNotOnlyReferencedOnes) {
  Guest g;
  g.qemu_report(0x60);
  // Only certificate A is referenced; Linux's load_ipl_certs still adds both.
  g.place(kReport, iirb({comp_block({{0x10000, 0x2000, 0xc0, 0, 0}}),
                         cert_block({{kCertA, certs().a.der.size()}, {kCertB, certs().b.der.size()}})}));
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  const auto keys = v->platform_keyring();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1].subject, certs().b.subject);
}

TEST(IplReport, IndicatorBitsDecodeToTheSpecsMeanings) {
  Guest g;
  g.iplb(0x20);
  g.place(kCertA, certs().a.der);
  g.place(kReport, iirb({comp_block({{0x10000, 0x2000, 0x80, 0, 0xC0100000}}, 0x8400),
                         cert_block({{kCertA, certs().a.der.size()}})}));
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  const auto& r = *v->report;
  EXPECT_EQ(r.iiei, 0x8400);
  ASSERT_EQ(r.iiei_bits.size(), 2u);
  EXPECT_EQ(r.iiei_bits[0].bit, 0);
  EXPECT_EQ(r.iiei_bits[0].message, "Secure boot is on, but components are not signed");
  EXPECT_EQ(r.iiei_bits[1].bit, 5);
  EXPECT_EQ(r.iiei_bits[1].mask, 0x0400u);
  EXPECT_EQ(r.iiei_bits[1].message, "Only one signed component is allowed");
  const auto& bits = r.components[0].cei_bits;
  ASSERT_EQ(bits.size(), 3u);
  EXPECT_EQ(bits[0].bit, 0);
  EXPECT_EQ(bits[0].meaning, "invalid/missing SCLAB");
  EXPECT_EQ(bits[1].bit, 1);
  EXPECT_EQ(bits[1].message, "Invalid SCLAB length");
  EXPECT_EQ(bits[2].bit, 11);
  EXPECT_EQ(bits[2].message, "Load address for unsigned component is less than 0x2000");
  EXPECT_EQ(decode_cei(0x00000001)[0].meaning, "reserved");
}

TEST(IplReport, IplbVersionLinuxDoesNotSupportHidesEverything) {
  Guest g;
  g.qemu_report(0x60);
  g.iplb(0x60, 4096, 1);
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_FALSE(v->iplb_valid);
  EXPECT_FALSE(v->secure);
  EXPECT_FALSE(v->report.has_value());
  EXPECT_EQ(ids(v->findings), std::vector<std::string>{"guest.iplb_version"});
}

TEST(IplReport, SiplWithoutIplirIsNotSecure) {
  Guest g;
  g.iplb(0x40);
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_FALSE(v->secure);
  EXPECT_FALSE(v->report.has_value());
  ASSERT_EQ(v->findings.size(), 1u);
  EXPECT_EQ(v->findings[0].message,
            "the IPLB has SIPL (0x40) without IPLIR (0x20): Linux shows secure 0 and reads no report");
}

TEST(IplReport, EmptyCertificateListAtTheEndIsNotSeenByLinuxsWalk) {
  // Linux walks while rb + 16 < end: a 16-byte block ending exactly at the report end is
  // skipped, so a report with no certificates is ignored. The secure flag still shows.
  Guest g;
  g.iplb(0x60);
  g.place(kReport, iirb({comp_block({{0x10000, 0x2000, 0x80, 0, 0x80000000}}), cert_block({})}));
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->secure);
  EXPECT_TRUE(v->report->has_components);
  EXPECT_FALSE(v->report->has_certificates);
  EXPECT_FALSE(v->report->used_by_linux());
  EXPECT_EQ(ids(v->findings), (std::vector<std::string>{"guest.report_tail_unread", "guest.report_ignored"}));
  EXPECT_EQ(v->findings[1].message,
            "the IPL report has no certificate list (type 1) that Linux's walk reaches: Linux ignores the "
            "report (no components logged, no .platform certificates)");
  EXPECT_EQ(to_json(*v)["components"].size(), 0u);
  EXPECT_EQ(to_text(*v), "/sys/firmware/ipl/secure: 1\n/sys/firmware/ipl/has_secure: unknown\n"
                         "warning: " + v->findings[0].message + "\nwarning: " + v->findings[1].message + "\n");
}

TEST(IplReport, UnknownBlocksAndUnparsableCertificatesAreIgnoredLikeLinux) {
  Guest g;
  g.iplb(0x60);
  Bytes junk = block_header(24, 7);
  junk.resize(24);
  g.place(kCertA, certs().a.der);
  g.place(kCertB, Bytes(40, std::byte{0x30}));
  g.place(kReport, iirb({junk, comp_block({{0x10000, 0x2000, 0xc0, 5, 0}}),
                         cert_block({{kCertA, certs().a.der.size()}, {kCertB, 40}})}));
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_TRUE(v->report->used_by_linux());
  EXPECT_EQ(ids(v->findings), (std::vector<std::string>{"guest.unknown_block", "guest.cert_index_out_of_range",
                                                        "guest.platform_key_not_loaded"}));
  EXPECT_EQ(v->findings[0].message, "info block at IIRB offset 16 has unknown type 7: Linux ignores it");
  EXPECT_EQ(v->findings[1].message, "component 0 at 0x10000 names certificate 5, but the certificate list has 2");
  EXPECT_EQ(v->findings[2].message,
            "IPL report certificate 1 is not in the .platform keyring: the DER encoding is malformed (Debian 12's "
            "Linux 6.1 says \"Problem loading X.509 certificate -74\")");
  EXPECT_EQ(v->keyring[1].dmesg.back(), "integrity: Error adding keys to platform keyring IPL:db");
  ASSERT_EQ(v->platform_keyring().size(), 1u);
  EXPECT_EQ(v->platform_keyring()[0].subject, certs().a.subject);
}

TEST(IplReport, BlockRunningPastTheReportEndStopsTheWalk) {
  Guest g;
  g.iplb(0x20);
  Bytes r = iirb({comp_block({{0x10000, 0x2000, 0x80, 0, 0}}), cert_block({{kCertA, 10}})});
  put(r, 16 + 48, 0x100, 4);  // certificate block claims 256 bytes
  g.place(kReport, r);
  auto v = read_ipl_report(g.mem, kIplb);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_FALSE(v->report->used_by_linux());
  ASSERT_GE(v->findings.size(), 1u);
  EXPECT_EQ(v->findings[0].message,
            "info block at IIRB offset 64 has length 256, past the report end (96): Linux stops its walk there");
}

// --- Hostile reports: clear errors, no hang. ---

Error error_of(const Guest& g, uint64_t at = kIplb) {
  auto v = read_ipl_report(g.mem, at);
  EXPECT_FALSE(v) << "expected an error";
  return v ? Error{} : v.error();
}

TEST(IplReportHostile, ReportLengthPastMemory) {
  Guest g;
  const uint64_t iplb = kMem - 4096 - 64;
  g.iplb(0x60, 4096, 0, iplb);
  Bytes r(16);
  put(r, 0, 2000, 4);
  g.place(kMem - 64, r);
  const Error e = error_of(g, iplb);
  EXPECT_EQ(e.code, ErrorCode::kBadInput);
  EXPECT_EQ(e.message, "IPL report: 2000 bytes at 0xffc0 lie outside guest memory");
  EXPECT_EQ(e.to_string(), "guest memory: byte 65472: IPL report: 2000 bytes at 0xffc0 lie outside guest memory");
}

TEST(IplReportHostile, IplbOutsideMemory) {
  Guest g;
  const Error e = error_of(g, kMem - 4);
  EXPECT_EQ(e.message, "IPL parameter block header: 8 bytes at 0xfffc lie outside guest memory");
}

TEST(IplReportHostile, CertificateEntryOutsideMemory) {
  Guest g;
  g.iplb(0x60);
  g.place(kReport, iirb({comp_block({}), cert_block({{kMem - 16, 100}})}));
  EXPECT_EQ(error_of(g).message,
            "certificate 0 (entry at IIRB offset 48): 100 bytes at 0xfff0 lie outside guest memory");
  g.place(kReport, iirb({comp_block({}), cert_block({{UINT64_MAX - 10, 100}})}));
  EXPECT_EQ(error_of(g).message,
            "certificate 0 (entry at IIRB offset 48): 100 bytes at 0xfffffffffffffff5 lie outside guest memory");
}

TEST(IplReportHostile, HugeCertificateLength) {
  Guest g;
  g.iplb(0x60);
  g.place(kReport, iirb({comp_block({}), cert_block({{0, 1u << 20}})}));
  const Error e = error_of(g);
  EXPECT_EQ(e.code, ErrorCode::kLimit);
  EXPECT_EQ(e.message, "certificate 0 (entry at IIRB offset 48) has length 1048576; sipl reads certificates of "
                       "up to 65536 bytes (the BIOS copies at most 8000)");
}

TEST(IplReportHostile, TooManyEntries) {
  Guest g;
  g.iplb(0x60);
  g.place(kReport, iirb({comp_block(std::vector<Comp>(128, Comp{0x10000, 0, 0, 0, 0})), cert_block({})}));
  Error e = error_of(g);
  EXPECT_EQ(e.code, ErrorCode::kLimit);
  EXPECT_EQ(e.message, "component list at IIRB offset 16 has 128 entries; the BIOS writes at most 127");
  g.place(kReport, iirb({cert_block(std::vector<CertEntry>(65, CertEntry{kCertA, 1})), comp_block({})}));
  e = error_of(g);
  EXPECT_EQ(e.message, "certificate list at IIRB offset 16 has 65 entries; the BIOS writes at most 64");
}

TEST(IplReportHostile, ReportLongerThanTheBiosCanWrite) {
  Guest g;
  g.iplb(0x60);
  Bytes r(16);
  put(r, 0, 5137, 4);
  g.place(kReport, r);
  const Error e = error_of(g);
  EXPECT_EQ(e.code, ErrorCode::kLimit);
  EXPECT_EQ(e.message,
            "IPL report at 0x3000 has length 5137; the BIOS writes at most 5136 bytes (127 components, 64 certificates)");
}

TEST(IplReportHostile, ZeroLengthBlockWouldLoopForever) {
  Guest g;
  g.iplb(0x60);
  Bytes r = iirb({comp_block({{0x10000, 0x2000, 0x80, 0, 0}}), cert_block({})});
  put(r, 16, 0, 4);
  g.place(kReport, r);
  const Error e = error_of(g);
  EXPECT_EQ(e.code, ErrorCode::kBadInput);
  EXPECT_EQ(e.message,
            "info block at IIRB offset 16 has length 0, shorter than its 16-byte header (Linux's walk would loop "
            "forever on it)");
  put(r, 16, 8, 4);
  g.place(kReport, r);
  EXPECT_EQ(error_of(g).message, "info block at IIRB offset 16 has length 8, shorter than its 16-byte header");
}

TEST(IplReportHostile, BadIplbLength) {
  Guest g;
  g.iplb(0x60, 8192);
  EXPECT_EQ(error_of(g).message, "IPL parameter block at 0x2000 has length 8192; DIAG 308 allows 8 to 4096 bytes");
}

}  // namespace
}  // namespace sipl::guest
