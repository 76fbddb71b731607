// describe_pkcs7 against SignedData made by the openssl CLI (issuer+serial and -keyid forms).
#include "sipl/crypto/pkcs7_info.h"

#include <algorithm>
#include <cctype>

#include <gtest/gtest.h>

#include "support/must.h"
#include "support/run.h"

namespace sipl::crypto {
namespace {

struct Signed {
  test::TempDir dir;
  Signed() {
    test::must_out("cd '" + dir.path() +
           "' && openssl req -new -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem "
           "-days 30 -subj '/CN=Kernel signer/O=Example Org' -set_serial 0x1F2E3D 2>/dev/null && head -c 3000 "
           "/dev/urandom > data");
  }
  Result<Pkcs7Info> sign(const std::string& extra) {
    test::must_out("cd '" + dir.path() +
           "' && openssl cms -sign -binary -noattr -nocerts -md sha512 -outform DER -in data "
           "-signer c.pem -inkey k.pem -out sig.der " +
           extra);
    return describe_pkcs7(as_bytes(test::read_text(dir / "sig.der")), "sig.der");
  }
};

TEST(Pkcs7Info, IssuerAndSerialAsOpensslPrintsThem) {
  Signed s;
  auto info = s.sign("");
  ASSERT_TRUE(info) << info.error().to_string();
  ASSERT_EQ(info->signers.size(), 1u);
  const auto& id = info->signers[0];
  EXPECT_EQ("issuer=" + id.issuer,
            test::must_out("openssl x509 -in '" + (s.dir / "c.pem") + "' -noout -issuer -nameopt RFC2253"));
  EXPECT_EQ("serial=" + id.serial_hex, test::must_out("openssl x509 -in '" + (s.dir / "c.pem") + "' -noout -serial"));
  EXPECT_EQ(id.serial_hex, "1F2E3D");
  EXPECT_EQ(id.subject_key_id_hex, "");
  EXPECT_EQ(id.digest, "SHA512");
  EXPECT_EQ(info->certificates, 0u);
}

TEST(Pkcs7Info, SubjectKeyIdentifier) {
  Signed s;
  auto info = s.sign("-keyid");
  ASSERT_TRUE(info) << info.error().to_string();
  ASSERT_EQ(info->signers.size(), 1u);
  std::string skid =
      test::must_out("openssl x509 -in '" + (s.dir / "c.pem") + "' -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :'");
  std::transform(skid.begin(), skid.end(), skid.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(info->signers[0].subject_key_id_hex, skid);
  EXPECT_EQ(info->signers[0].issuer, "");
}

TEST(Pkcs7Info, GarbageIsRefused) {
  const std::string junk = "not a signature";
  auto info = describe_pkcs7(as_bytes(junk), "blob");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().to_string(), "blob: 15 bytes are not a DER PKCS#7/CMS structure");
}

}  // namespace
}  // namespace sipl::crypto
