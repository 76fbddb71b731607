// CMS signatures compared with the kernel's sign-file (byte for byte for RSA) and checked
// with `openssl cms -verify` (ECDSA, whose signatures are randomised).
#include "sipl/crypto/cms.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "crypto/signing_keys.h"
#include "sipl/base/file.h"
#include "support/run.h"

namespace sipl::crypto {
namespace {

Certificate load_cert(const std::string& path) {
  auto bytes = read_file(path, 1 << 20);
  EXPECT_TRUE(bytes);
  auto c = Certificate::from_pem_or_der(*bytes);
  EXPECT_TRUE(c) << c.error().to_string();
  return *c;
}

PrivateKey load_key(const std::string& path) {
  auto k = PrivateKey::load(path);
  EXPECT_TRUE(k) << k.error().to_string();
  return *k;
}

// Returns sign-file's detached signature (-d writes FILE.p7s and leaves FILE alone).
std::string sign_file_p7s(const test::KeyPair& kp, const std::string& digest, bool key_id, const std::string& file) {
  auto r = test::sh(std::string(test::kSignFile) + (key_id ? " -dk " : " -d ") + digest + " " + kp.key + " " +
                    kp.cert + " " + file);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return test::read_text(file + ".p7s");
}

void expect_identical_to_sign_file(const std::string& kind) {
  test::TempDir dir;
  const auto& kp = test::openssl_key(kind);
  const std::string content = "component bytes\n" + std::string(5000, '\x5a') + std::string("\0\r\n", 3);
  test::write_text(dir / "c.bin", content);
  auto key = load_key(kp.key);
  auto cert = load_cert(kp.cert);
  for (const char* digest : {"sha256", "sha384", "sha512"}) {
    for (bool key_id : {false, true}) {
      SCOPED_TRACE(std::string(kind) + " " + digest + (key_id ? " -k" : ""));
      auto sig = sign_detached_cms(as_bytes(content), key, cert, {*parse_digest(digest), key_id});
      ASSERT_TRUE(sig) << sig.error().to_string();
      EXPECT_EQ(to_string(*sig), sign_file_p7s(kp, digest, key_id, dir / "c.bin"));
    }
  }
}

TEST(CmsSign, Rsa2048IsByteIdenticalToSignFile) { expect_identical_to_sign_file("rsa:2048"); }
TEST(CmsSign, Rsa4096IsByteIdenticalToSignFile) { expect_identical_to_sign_file("rsa:4096"); }

// `openssl asn1parse` lines without offsets and lengths, the last one (the signature value
// OCTET STRING) dropped: the structure of a SignedData up to the signature.
std::vector<std::string> structure(const std::string& der_path) {
  auto r = test::sh("openssl asn1parse -inform DER -in " + der_path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  std::string line;
  const std::regex lengths(R"(^\s*\d+:d=(\d+)\s+hl=\d+\s+l=\s*\d+\s+)");
  while (std::getline(in, line)) lines.push_back(std::regex_replace(line, lengths, "d=$1 "));
  EXPECT_FALSE(lines.empty());
  if (!lines.empty()) lines.pop_back();
  return lines;
}

void expect_ecdsa_like_sign_file(const std::string& kind) {
  test::TempDir dir;
  const auto& kp = test::openssl_key(kind);
  const std::string content(8192, '\x42');
  test::write_text(dir / "c.bin", content);
  auto key = load_key(kp.key);
  EXPECT_TRUE(key.is_ecdsa());
  auto cert = load_cert(kp.cert);
  for (const char* digest : {"sha256", "sha384", "sha512"}) {
    for (bool key_id : {false, true}) {
      SCOPED_TRACE(std::string(kind) + " " + digest + (key_id ? " -k" : ""));
      auto sig = sign_detached_cms(as_bytes(content), key, cert, {*parse_digest(digest), key_id});
      ASSERT_TRUE(sig) << sig.error().to_string();
      ASSERT_TRUE(write_file_atomic(dir / "sipl.p7s", *sig));
      auto v = test::sh("openssl cms -verify -binary -inform DER -in " + (dir / "sipl.p7s") + " -content " +
                        (dir / "c.bin") + " -noverify -certfile " + kp.cert + " -out /dev/null 2>&1");
      EXPECT_EQ(v.exit_code, 0) << v.out;
      EXPECT_NE(v.out.find("Verification successful"), std::string::npos) << v.out;
      const std::string theirs = sign_file_p7s(kp, digest, key_id, dir / "c.bin");
      // ECDSA-Sig-Value is DER of two integers: its length varies by a few bytes.
      EXPECT_LE(std::abs(static_cast<long>(sig->size()) - static_cast<long>(theirs.size())), 4);
      EXPECT_EQ(structure(dir / "sipl.p7s"), structure(dir / "c.bin.p7s"));
    }
  }
}

TEST(CmsSign, EcdsaP256VerifiesAndMatchesSignFileStructure) { expect_ecdsa_like_sign_file("ec:P-256"); }
TEST(CmsSign, EcdsaP384VerifiesAndMatchesSignFileStructure) { expect_ecdsa_like_sign_file("ec:P-384"); }

TEST(CmsSign, RsaSignatureVerifiesWithOpensslAndNamesNoCertificatesOrAttributes) {
  test::TempDir dir;
  const auto& kp = test::openssl_key("rsa:2048");
  test::write_text(dir / "c.bin", "abc");
  auto sig = sign_detached_cms(as_bytes(std::string("abc")), load_key(kp.key), load_cert(kp.cert), {});
  ASSERT_TRUE(sig);
  ASSERT_TRUE(write_file_atomic(dir / "s.p7s", *sig));
  auto v = test::sh("openssl cms -verify -binary -inform DER -in " + (dir / "s.p7s") + " -content " + (dir / "c.bin") +
                    " -noverify -certfile " + kp.cert + " -out /dev/null 2>&1");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  auto p = test::sh("openssl cms -cmsout -print -inform DER -in " + (dir / "s.p7s"));
  ASSERT_EQ(p.exit_code, 0);
  EXPECT_NE(p.out.find("eContentType: pkcs7-data"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("eContent: <ABSENT>"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("certificates:\n      <ABSENT>"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("signedAttrs:\n          <ABSENT>"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("issuerAndSerialNumber"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("algorithm: sha256"), std::string::npos) << p.out;
}

TEST(CmsSign, KeyThatDoesNotMatchTheCertificateIsRefused) {
  const auto& a = test::openssl_key("rsa:2048");
  const auto& b = test::openssl_key("ec:P-256");
  auto sig = sign_detached_cms(as_bytes(std::string("x")), load_key(b.key), load_cert(a.cert), {});
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(sig.error().to_string(), "the private key does not match the certificate's public key");
}

TEST(CmsSign, KeyIdNeedsASubjectKeyIdentifier) {
  test::TempDir dir;
  // `openssl x509 -req` without an extension file makes a certificate with no extensions.
  auto r = test::sh("cd " + dir.path() +
                    " && openssl req -new -nodes -newkey rsa:2048 -subj /CN=noskid -keyout k.key -out k.csr 2>&1"
                    " && openssl x509 -req -in k.csr -signkey k.key -days 30 -out k.pem 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(test::sh("openssl x509 -in " + (dir / "k.pem") + " -noout -ext subjectKeyIdentifier | grep -q .").exit_code,
            1);
  auto key = load_key(dir / "k.key");
  auto cert = load_cert(dir / "k.pem");
  auto sig = sign_detached_cms(as_bytes(std::string("x")), key, cert, {Digest::kSha256, true});
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().to_string(),
            "the certificate has no subjectKeyIdentifier extension, so the signer cannot be named by key id; sign "
            "without --key-id (issuer and serial)");
  // Issuer and serial still work, and match sign-file.
  test::write_text(dir / "c.bin", "x");
  sig = sign_detached_cms(as_bytes(std::string("x")), key, cert, {});
  ASSERT_TRUE(sig);
  EXPECT_EQ(to_string(*sig), sign_file_p7s({dir / "k.key", dir / "k.pem"}, "sha256", false, dir / "c.bin"));
}

TEST(CmsSign, PiecesAreSignedAsTheirConcatenation) {
  test::TempDir dir;
  const auto& kp = test::openssl_key("rsa:2048");
  const std::string a(3 * (1 << 20) + 17, 'a'), b = "tail";  // crosses the 1 MiB feeding slices
  test::write_text(dir / "c.bin", a + b);
  const ByteSpan pieces[] = {as_bytes(a), ByteSpan(), as_bytes(b)};
  auto sig = sign_detached_cms(pieces, load_key(kp.key), load_cert(kp.cert), {Digest::kSha384, false});
  ASSERT_TRUE(sig) << sig.error().to_string();
  EXPECT_EQ(to_string(*sig), sign_file_p7s(kp, "sha384", false, dir / "c.bin"));
}

TEST(CmsSign, DigestNames) {
  EXPECT_EQ(parse_digest("sha384"), Digest::kSha384);
  EXPECT_EQ(parse_digest("SHA256"), std::nullopt);
  EXPECT_EQ(parse_digest("sha1"), std::nullopt);
  EXPECT_EQ(digest_name(Digest::kSha512), "sha512");
}

}  // namespace
}  // namespace sipl::crypto
