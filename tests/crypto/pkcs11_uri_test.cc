// RFC 7512 URIs: the examples of RFC 7512 §3 and the forms sign-file/libp11 users write.
#include "sipl/crypto/pkcs11_uri.h"

#include <gtest/gtest.h>

namespace sipl::crypto {
namespace {

TEST(Pkcs11Uri, Rfc7512Examples) {
  auto u = Pkcs11Uri::parse(
      "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
      "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;"
      "serial=?pin-source=file:mypin");
  ASSERT_TRUE(u) << u.error().to_string();
  EXPECT_EQ(u->path_attribute("token"), "The Software PKCS#11 Softtoken");
  EXPECT_EQ(u->path_attribute("manufacturer"), "Snake Oil, Inc.");
  EXPECT_EQ(u->path_attribute("serial"), "");
  EXPECT_EQ(u->path_attribute("id"), std::string("\x69\x95\x3e\x5c\xf4\xbd\xec\x91"));
  EXPECT_EQ(u->pin_source(), "file:mypin");
  EXPECT_FALSE(u->pin_value());
  EXPECT_EQ(u->describe_token(), "token=The Software PKCS#11 Softtoken;serial=;manufacturer=Snake Oil, Inc.;model=1.0");
  // What OpenSSL is handed: path attributes as written, the type replaced, no query.
  EXPECT_EQ(u->object_uri("private"),
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;"
            "object=my-certificate;id=%69%95%3E%5C%F4%BD%EC%91;serial=;type=private");

  auto empty = Pkcs11Uri::parse("pkcs11:");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->describe_token(), "any token");
  EXPECT_EQ(empty->object_uri(), "pkcs11:");
  EXPECT_TRUE(Pkcs11Uri::parse("PKCS11:object=a;x-vendor=1?x-other=2"));
}

TEST(Pkcs11Uri, ThePinIsReadWhereverWrittenAndNeverShown) {
  for (const char* text : {"pkcs11:token=t;object=k?pin-value=12%334&module-path=/m.so",
                           "pkcs11:token=t;pin-value=12%334;object=k?module-path=/m.so",
                           "pkcs11:pin-value=12%334;token=t;object=k?module-path=/m.so"}) {
    SCOPED_TRACE(text);
    auto u = Pkcs11Uri::parse(text);
    ASSERT_TRUE(u) << u.error().to_string();
    EXPECT_EQ(u->pin_value(), "1234");
    EXPECT_EQ(u->module_path(), "/m.so");
    EXPECT_EQ(u->redacted(), "pkcs11:token=t;object=k?module-path=/m.so");
    EXPECT_EQ(u->object_uri(), "pkcs11:token=t;object=k");
    EXPECT_EQ(without_pin(text), "pkcs11:token=t;object=k?module-path=/m.so");
  }
  EXPECT_EQ(without_pin("pkcs11:object=k?pin-value=1"), "pkcs11:object=k");
  EXPECT_EQ(without_pin("/etc/keys/signing.key"), "/etc/keys/signing.key");
  auto bad = Pkcs11Uri::parse("pkcs11:object=k;bogus=1?pin-value=secret");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(),
            "pkcs11:object=k;bogus=1: not a usable PKCS#11 URI (RFC 7512): unknown path attribute 'bogus'");
}

// Found by pkcs11_uri_fuzzer (fuzz/corpus/pkcs11_uri/regression-pin-value-text-in-a-token-value):
// RFC 7512 allows ':' and '=' in a path attribute's value (pk11-res-avail), so "pin-value=" can
// be text inside a token label. It is that label, not a PIN, and redacting keeps it.
TEST(Pkcs11Uri, PinValueTextInsideAnotherValueIsNotAPin) {
  const std::string text = "pkcs11:token=The%20Sopkcpfts211:ppkcs11:pin-value=20Sop0";
  auto u = Pkcs11Uri::parse(text);
  ASSERT_TRUE(u) << u.error().to_string();
  EXPECT_EQ(u->path_attribute("token"), "The Sopkcpfts211:ppkcs11:pin-value=20Sop0");
  EXPECT_FALSE(u->pin_value());
  EXPECT_EQ(without_pin(text), u->redacted());
  auto again = Pkcs11Uri::parse(u->redacted());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->pin_value());
  EXPECT_EQ(again->path_attribute("token"), u->path_attribute("token"));
}

TEST(Pkcs11Uri, Malformed) {
  const std::pair<const char*, const char*> cases[] = {
      {"file:/k.pem", "it does not start with pkcs11:"},
      {"pkcs11:object", "'object' is not name=value"},
      {"pkcs11:=x", "'=x' is not name=value"},
      {"pkcs11:object=%4", "the value of object has a bad percent escape"},
      {"pkcs11:object=a?token=b", "unknown query attribute 'token'"},
      {"pkcs11:type=secret", "type=secret is none of private, public, cert, secret-key, data"},
      {"pkcs11:object=a;object=b", "object is given twice"},
  };
  for (const auto& [text, why] : cases) {
    auto u = Pkcs11Uri::parse(text);
    ASSERT_FALSE(u) << text;
    EXPECT_EQ(u.error().code, ErrorCode::kUsage);
    EXPECT_EQ(u.error().message, std::string("not a usable PKCS#11 URI (RFC 7512): ") + why) << text;
  }
  EXPECT_TRUE(is_pkcs11_uri("Pkcs11:x"));
  EXPECT_FALSE(is_pkcs11_uri("pkcs11"));
  EXPECT_FALSE(is_pkcs11_uri("./pkcs11:key.pem"));
}

}  // namespace
}  // namespace sipl::crypto
