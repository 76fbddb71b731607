// QEMU's boot-certs walk: every rule and message of QEMU hw/s390x/cert-store.c
// (s390_cert_store_init and its helpers).
#include "sipl/hv/certificate_store.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "sipl/base/ebcdic.h"
#include "support/certs.h"
#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl::hv {
namespace {

using test::CertSpec;
using test::make_cert;
using test::TempDir;

std::string error_of(const std::vector<std::string>& paths, Findings* w = nullptr) {
  auto s = CertificateStore::build(paths, w);
  EXPECT_FALSE(s) << "store unexpectedly built";
  return s ? "" : s.error().message;
}

// What GnuTLS itself says when QEMU imports this file (the oracle for the inner text).
std::string gnutls_import_error(const std::string& path) {
  std::string data = test::read_text(path);
  gnutls_x509_crt_t crt;
  gnutls_x509_crt_init(&crt);
  gnutls_datum_t d{reinterpret_cast<unsigned char*>(data.data()), static_cast<unsigned>(data.size())};
  int rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
  gnutls_x509_crt_deinit(crt);
  return rc < 0 ? gnutls_strerror(rc) : "";
}

TEST(CertificateStore, EmptyListGivesEmptyStore) {
  auto s = CertificateStore::build({}, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count(), 0u);
  EXPECT_EQ(s->total_bytes(), 0u);
}

TEST(CertificateStore, EmptyPathIsFatal) {
  EXPECT_EQ(error_of({""}), "Empty path in certificate path list is not allowed");
}

TEST(CertificateStore, MissingPathIsFatalWithStrerror) {
  TempDir t;
  EXPECT_EQ(error_of({t / "nope.pem"}), "Failed to stat path '" + (t / "nope.pem") + "': No such file or directory");
}

TEST(CertificateStore, FileWithoutPemSuffixIsFatal) {
  TempDir t;
  make_cert({}, t / "a.crt");
  EXPECT_EQ(error_of({t / "a.crt"}), "Certificate file '" + (t / "a.crt") + "' must have a .pem extension");
  make_cert({}, t / "b.PEM");  // the suffix test is case-sensitive
  EXPECT_EQ(error_of({t / "b.PEM"}), "Certificate file '" + (t / "b.PEM") + "' must have a .pem extension");
}

TEST(CertificateStore, FifoAndDeviceArgumentsAreNeitherFileNorDirectory) {
  TempDir t;
  ASSERT_EQ(mkfifo((t / "x.pem").c_str(), 0644), 0);
  EXPECT_EQ(error_of({t / "x.pem"}), "Path '" + (t / "x.pem") + "' is neither a file nor a directory");
  EXPECT_EQ(error_of({"/dev/null"}), "Path '/dev/null' is neither a file nor a directory");
}

TEST(CertificateStore, SymlinkLoopFailsStat) {
  TempDir t;
  ASSERT_EQ(symlink("b.pem", (t / "a.pem").c_str()), 0);
  ASSERT_EQ(symlink("a.pem", (t / "b.pem").c_str()), 0);
  EXPECT_EQ(error_of({t / "a.pem"}),
            "Failed to stat path '" + (t / "a.pem") + "': Too many levels of symbolic links");
}

TEST(CertificateStore, SymlinkLoopInsideDirectoryFailsToLoad) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  ASSERT_EQ(symlink("loop.pem", (t / "d/loop.pem").c_str()), 0);
  auto s = CertificateStore::build({t / "d"}, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Failed to load certificate: " + (t / "d/loop.pem"));
}

TEST(CertificateStore, DirectoryWalkIsOneLevelPemOnlyWithWarnings) {
  TempDir t;
  std::filesystem::create_directories(t / "d/sub");
  make_cert({}, t / "d/a.pem");
  make_cert({}, t / "d/sub/deep.pem");
  test::write_text(t / "d/readme.txt", "x");
  Findings w;
  auto s = CertificateStore::build({t / "d"}, &w);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->count(), 1u);
  EXPECT_EQ(s->entries()[0].path, t / "d/a.pem");
  EXPECT_EQ(s->entries()[0].source_dir, t / "d");
  // Warnings come in readdir order; compare as a set.
  std::vector<std::string> msgs;
  for (auto& f : w) msgs.push_back(f.message);
  std::sort(msgs.begin(), msgs.end());
  EXPECT_EQ(msgs, (std::vector<std::string>{(t / "d") + ": skipping 'readme.txt': not a .pem file",
                                              (t / "d") + ": skipping 'sub': not a .pem file"}));
}

TEST(CertificateStore, TrailingSlashJoinsWithOneSeparator) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  make_cert({}, t / "d/a.pem");
  auto s = CertificateStore::build({t / "d//"}, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->entries()[0].path, t / "d/a.pem");
}

TEST(CertificateStore, EmptyDirectoryWarnsAndGivesNoCertificates) {
  TempDir t;
  std::filesystem::create_directory(t / "empty");
  Findings w;
  auto s = CertificateStore::build({t / "empty"}, &w);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count(), 0u);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].message, "'" + (t / "empty") + "' directory is empty");
  EXPECT_EQ(w[0].id, "store.empty_directory");
}

TEST(CertificateStore, DirectoryWithOnlyOtherFilesIsNotEmpty) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  test::write_text(t / "d/x.txt", "x");
  Findings w;
  auto s = CertificateStore::build({t / "d"}, &w);
  ASSERT_TRUE(s);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].message, (t / "d") + ": skipping 'x.txt': not a .pem file");
}

TEST(CertificateStore, OrderIsArgumentOrderThenRawReaddirOrderWithoutDeduplication) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  for (const char* n : {"zeta.pem", "alpha.pem", "mid.pem", "b.pem", "0.pem"}) make_cert({}, t / ("d/" + std::string(n)));
  make_cert({}, t / "single.pem");
  auto s = CertificateStore::build({t / "single.pem", t / "d", t / "single.pem"}, nullptr);
  ASSERT_TRUE(s);
  // Independent source of the raw directory order: `ls -U` (unsorted readdir order).
  auto ls = test::sh("ls -U '" + (t / "d") + "'");
  std::vector<std::string> want{t / "single.pem"};
  std::istringstream in(ls.out);
  for (std::string line; std::getline(in, line);) want.push_back(t / ("d/" + line));
  want.push_back(t / "single.pem");
  std::vector<std::string> got;
  for (auto& e : s->entries()) got.push_back(e.path);
  EXPECT_EQ(got, want);
}

TEST(CertificateStore, SixtyFourCertificatesFitSixtyFiveDoNot) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  make_cert({}, t / "d/c0.pem");
  std::string pem = test::read_text(t / "d/c0.pem");
  for (int i = 1; i < 64; ++i) test::write_text(t / ("d/c" + std::to_string(i) + ".pem"), pem);
  auto s = CertificateStore::build({t / "d"}, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count(), 64u);
  test::write_text(t / "d/c64.pem", pem);
  EXPECT_EQ(error_of({t / "d"}), "Cert store exceeds maximum of 64 certificates");
}

TEST(CertificateStore, LimitIsCheckedBeforeAnyFileIsLoaded) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  for (int i = 0; i < 65; ++i) test::write_text(t / ("d/bad" + std::to_string(i) + ".pem"), "junk");
  EXPECT_EQ(error_of({t / "d"}), "Cert store exceeds maximum of 64 certificates");
}

TEST(CertificateStore, CollectionErrorsComeBeforeTheLimit) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  for (int i = 0; i < 65; ++i) test::write_text(t / ("d/x" + std::to_string(i) + ".pem"), "junk");
  EXPECT_EQ(error_of({t / "d", t / "missing"}),
            "Failed to stat path '" + (t / "missing") + "': No such file or directory");
}

TEST(CertificateStore, UnparseableFilesGiveGnutlsText) {
  TempDir t;
  make_cert({}, t / "good.pem");
  std::string der = test::openssl_der(t / "good.pem");
  struct Case {
    std::string name, content;
  } cases[] = {
      {"empty.pem", ""},
      {"text.pem", "hello\n"},
      {"der.pem", der},
      {"badb64.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"},
      {"noend.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n"},
      {"notseq.pem", "-----BEGIN CERTIFICATE-----\nAgEF\n-----END CERTIFICATE-----\n"},
      {"trunc.pem", "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n"},
      {"trusted.pem", "-----BEGIN TRUSTED CERTIFICATE-----\nMIIB\n-----END TRUSTED CERTIFICATE-----\n"},
  };
  for (auto& c : cases) {
    test::write_text(t / c.name, c.content);
    std::string want = gnutls_import_error(t / c.name);
    ASSERT_FALSE(want.empty()) << c.name << " unexpectedly accepted by GnuTLS";
    EXPECT_EQ(error_of({t / c.name}),
              "Failed to initialize certificate: " + (t / c.name) + ": Failed to import certificate: " + want)
        << c.name;
  }
}

TEST(CertificateStore, PemWithTextAroundAndSecondCertificateIsAccepted) {
  TempDir t;
  make_cert({.cn = "first"}, t / "a.pem");
  make_cert({.cn = "second"}, t / "b.pem");
  test::write_text(t / "both.pem", "Bag Attributes\n" + test::read_text(t / "a.pem") + test::read_text(t / "b.pem"));
  ASSERT_EQ(gnutls_import_error(t / "both.pem"), "");
  auto s = CertificateStore::build({t / "both.pem"}, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->entries()[0].cert.subject(), "CN=first");
}

TEST(CertificateStore, NonRegularEntriesInsideADirectoryFailToLoadWithoutBlocking) {
  TempDir t;
  std::filesystem::create_directories(t / "d/sub.pem");
  auto s = CertificateStore::build({t / "d"}, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Failed to load certificate: " + (t / "d/sub.pem"));

  std::filesystem::remove(t / "d/sub.pem");
  ASSERT_EQ(mkfifo((t / "d/fifo.pem").c_str(), 0644), 0);  // QEMU would block reading it
  s = CertificateStore::build({t / "d"}, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Failed to load certificate: " + (t / "d/fifo.pem"));
  EXPECT_EQ(s.error().hint, t / "d/fifo.pem" + std::string(": not a regular file"));

  std::filesystem::remove(t / "d/fifo.pem");
  ASSERT_EQ(symlink("/dev/zero", (t / "d/zero.pem").c_str()), 0);  // QEMU would read forever
  s = CertificateStore::build({t / "d"}, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Failed to load certificate: " + (t / "d/zero.pem"));
}

TEST(CertificateStore, HugeFileIsRefusedWithoutReadingIt) {
  TempDir t;
  ASSERT_EQ(truncate((t / "big.pem").c_str(), 0), -1);  // does not exist yet
  test::write_text(t / "big.pem", "");
  ASSERT_EQ(truncate((t / "big.pem").c_str(), 2LL * 1024 * 1024 * 1024), 0);  // sparse 2 GiB
  auto s = CertificateStore::build({t / "big.pem"}, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Failed to load certificate: " + (t / "big.pem"));
  EXPECT_EQ(s.error().hint, t / "big.pem" + std::string(": file is 2147483648 bytes, more than the 16777216 bytes accepted"));
}

TEST(CertificateStore, OversizeCertificateIsFatalWithQemuText) {
  TempDir t;
  make_cert({.padding_extension = 7900}, t / "big.pem");
  size_t der = test::openssl_der_size(t / "big.pem");
  ASSERT_GT(der, 8000u);
  size_t data = 64 + (der + 3) / 4 * 4;
  EXPECT_EQ(error_of({t / "big.pem"}),
            "Certificate data size " + std::to_string(data) + " exceeds maximum buffer size 8064");
}

TEST(CertificateStore, LargestCertificateThatFitsIs8000BytesOfDer) {
  TempDir t;
  // Aim the padding at exactly 8000 bytes of DER (the largest that fits 8064); the length
  // octets of the enclosing structures shift by at most a byte per round.
  size_t pad = 7000;
  for (int round = 0; round < 4; ++round) {
    make_cert({.key_type = "ed25519", .padding_extension = pad}, t / "c.pem");  // fixed-size signature
    size_t d = test::openssl_der_size(t / "c.pem");
    if (d == 8000) break;
    pad = pad + 8000 - d;
  }
  size_t der = test::openssl_der_size(t / "c.pem");
  ASSERT_EQ(der, 8000u);
  auto s = CertificateStore::build({t / "c.pem"}, nullptr);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->largest_cert_size(), 8064u);
}

TEST(CertificateStore, TotalsAsQemuKeepsThem) {
  TempDir t;
  make_cert({.key_type = "rsa2048"}, t / "a.pem");
  make_cert({.key_type = "p384"}, t / "b.pem");
  auto s = CertificateStore::build({t / "a.pem", t / "b.pem"}, nullptr);
  ASSERT_TRUE(s);
  size_t da = 64 + (test::openssl_der_size(t / "a.pem") + 3) / 4 * 4;
  size_t db = 64 + (test::openssl_der_size(t / "b.pem") + 3) / 4 * 4;
  EXPECT_EQ(s->total_bytes(), da + db);
  EXPECT_EQ(s->largest_cert_size(), std::max(da, db));
  EXPECT_EQ(s->entries()[0].data_size(), da);
}

TEST(CertificateStore, NameIsBasenameBlankPaddedEbcdic) {
  TempDir t;
  std::string longname(70, 'n');
  longname += ".pem";
  make_cert({}, t / longname);
  make_cert({}, t / "Key_1.pem");
  auto s = CertificateStore::build({t / "Key_1.pem", t / longname}, nullptr);
  ASSERT_TRUE(s);
  const auto& e = s->entries()[0];
  EXPECT_EQ(e.name, "Key_1.pem");
  ASSERT_EQ(e.name_ebcdic.size(), 64u);
  // "Key_1.pem" in EBCDIC 037 (decoded independently from the code page chart), then blanks 0x40.
  const unsigned char want[] = {0xD2, 0x85, 0xA8, 0x6D, 0xF1, 0x4B, 0x97, 0x85, 0x94};
  for (size_t i = 0; i < 9; ++i) EXPECT_EQ(std::to_integer<unsigned>(e.name_ebcdic[i]), want[i]) << i;
  for (size_t i = 9; i < 64; ++i) EXPECT_EQ(std::to_integer<unsigned>(e.name_ebcdic[i]), 0x40u) << i;
  EXPECT_EQ(s->entries()[1].name, std::string(64, 'n'));
}

TEST(CertificateStore, NonUtf8FileNamesAreKeptAsBytes) {
  TempDir t;
  std::filesystem::create_directory(t / "d");
  std::string name = "caf\xe9\xff.pem";
  make_cert({}, t / ("d/" + name));
  auto s = CertificateStore::build({t / "d"}, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->entries()[0].name, name);
  EXPECT_EQ(std::to_integer<unsigned>(s->entries()[0].name_ebcdic[3]), 0x3fu);  // QEMU: 0xE9 -> 0x3F
  EXPECT_EQ(std::to_integer<unsigned>(s->entries()[0].name_ebcdic[4]), 0xffu);  // QEMU: 0xFF -> 0xFF
}

}  // namespace
}  // namespace sipl::hv
