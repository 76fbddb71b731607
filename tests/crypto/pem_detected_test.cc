// PEM given where DER is expected: a detached signature must be the DER PKCS#7 that
// `sign-file -p` or `openssl cms -outform DER` writes; PEM text gets "PEM detected" and the
// conversion command instead of a DER parse error at byte 0. Fixtures from the openssl CLI.
#include <gtest/gtest.h>

#include "sipl/crypto/certificate.h"
#include "sipl/crypto/cms_verify.h"
#include "support/run.h"

namespace sipl::crypto {
namespace {

Bytes bytes_of(const std::string& s) { return Bytes(reinterpret_cast<const std::byte*>(s.data()), reinterpret_cast<const std::byte*>(s.data()) + s.size()); }

TEST(PemDetected, ASignatureInPemIsNamedAsSuch) {
  test::TempDir t;
  ASSERT_EQ(test::sh("cd '" + t.path() + "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem "
                     "-days 30 -subj /CN=s 2>/dev/null && head -c 4096 /dev/urandom > f && "
                     "openssl cms -sign -binary -noattr -nocerts -in f -signer c.pem -inkey k.pem -outform DER "
                     "-out f.p7s && openssl cms -cmsout -inform DER -in f.p7s -outform PEM -out f.p7s.pem")
                .exit_code,
            0);
  auto der = DetachedSignature::parse(bytes_of(test::read_text(t / "f.p7s")), "f.p7s");
  ASSERT_TRUE(der) << der.error().to_string();
  auto pem = DetachedSignature::parse(bytes_of(test::read_text(t / "f.p7s.pem")), "f.p7s.pem");
  ASSERT_FALSE(pem);
  EXPECT_EQ(pem.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(pem.error().message,
            "PEM detected: this is PEM text, but a DER PKCS#7 signature is expected here (what sign-file -p writes)");
  EXPECT_NE(pem.error().hint.find("openssl cms -cmsout"), std::string::npos);
  auto cert = Certificate::from_der(bytes_of(test::read_text(t / "c.pem")));
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().hint, "PEM detected: this is PEM text, but a DER certificate is expected here");
}

}  // namespace
}  // namespace sipl::crypto
