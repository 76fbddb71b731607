// What users trip over when they build a certificate store (issue #12): a PEM file with a chain
// of certificates (GnuTLS's gnutls_x509_crt_import, which QEMU calls, reads only the first
// block), and skip warnings that QEMU words without the directory they come from. Files are
// made with the openssl CLI; the expected subject is what openssl prints.
#include <gtest/gtest.h>

#include <filesystem>

#include "sipl/hv/certificate_store.h"
#include "support/openssl_cli.h"
#include "support/run.h"

namespace sipl::hv {
namespace {

std::string param(const Finding& f, const std::string& key) {
  for (const auto& [k, v] : f.params)
    if (k == key) return v;
  return "";
}

TEST(StoreWarnings, AMultiCertificatePemWarnsThatQemuLoadsOnlyTheFirst) {
  test::TempDir t;
  ASSERT_EQ(test::sh("cd '" + t.path() + "' && for n in one two; do openssl req -x509 -newkey ec "
                     "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key -out $n.pem -days 30 -subj /CN=$n "
                     "2>/dev/null || exit 1; done && cat one.pem two.pem > chain.pem")
                .exit_code,
            0);
  Findings w;
  auto s = CertificateStore::build({t / "chain.pem"}, &w);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->count(), 1u);
  EXPECT_EQ(s->entries()[0].cert.subject(), test::openssl_subject(t / "one.pem"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].id, "store.pem_multiple_certificates");
  EXPECT_EQ(w[0].message, (t / "chain.pem") + " holds 2 certificates; QEMU loads only the first (" +
                              test::openssl_subject(t / "one.pem") +
                              ") into the store: put each certificate in a file of its own");
  EXPECT_EQ(param(w[0], "count"), "2");
}

TEST(StoreWarnings, SkipWarningsNameTheDirectoryBeforeQemusText) {
  test::TempDir t;
  std::filesystem::create_directories(t / "site");
  test::write_text(t / "site/README", "x");
  Findings w;
  auto s = CertificateStore::build({t / "site"}, &w);
  ASSERT_TRUE(s);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].message, (t / "site") + ": skipping 'README': not a .pem file");
  EXPECT_EQ(param(w[0], "directory"), t / "site");
  EXPECT_EQ(param(w[0], "path"), t / "site/README");
}

}  // namespace
}  // namespace sipl::hv
