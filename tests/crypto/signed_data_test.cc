// The SignedData reader on hand-encoded DER/BER (bytes written from RFC 5652's grammar, not by
// the code under test): exact messages and offsets, BER indefinite lengths, bounded nesting.
#include <gtest/gtest.h>

#include <string>

#include "crypto/der.h"
#include "sipl/crypto/cms_verify.h"

namespace sipl::crypto {
namespace {

Bytes hex(std::string h) {
  Bytes out;
  std::string clean;
  for (char c : h)
    if (c != ' ') clean += c;
  for (size_t i = 0; i + 1 < clean.size(); i += 2) out.push_back(static_cast<std::byte>(std::stoi(clean.substr(i, 2), nullptr, 16)));
  return out;
}

// ContentInfo { signedData, [0] SignedData { 1, {}, { id-data }, {} } }: no signer infos.
const char* kNoSigners = "3023 06092a864886f70d010702 a016 3014 020101 3100 300b 06092a864886f70d010701 3100";
const char* kNoSignersBer =
    "3080 06092a864886f70d010702 a080 3080 020101 3100 3080 06092a864886f70d010701 0000 3100 0000 0000 0000";

TEST(SignedData, NoSignerInfosParsesButNeverVerifies) {
  for (const char* h : {kNoSigners, kNoSignersBer}) {
    SCOPED_TRACE(h);
    Bytes der = hex(h);
    auto sig = DetachedSignature::parse(der, "sig.p7s");
    ASSERT_TRUE(sig) << sig.error().to_string();
    EXPECT_EQ(sig->summary().signer_count, 0u);
    auto v = verify_detached(der, as_bytes("x"), {}, 0);
    EXPECT_FALSE(v.verified);
    ASSERT_EQ(v.findings.size(), 1u);
    EXPECT_EQ(v.findings[0].id, "verify.no_signer");
    EXPECT_EQ(v.findings[0].message, "the SignedData has no signer info");
  }
}

TEST(SignedData, ExactErrors) {
  auto msg = [](const std::string& h) {
    auto r = DetachedSignature::parse(hex(h), "sig.p7s");
    return r ? std::string("parsed") : r.error().to_string();
  };
  EXPECT_EQ(msg(""), "sig.p7s: byte 0: not a DER PKCS#7 SignedData: empty");
  EXPECT_EQ(msg(std::string(kNoSigners) + "00"),
            "sig.p7s: byte 37: not a DER PKCS#7 SignedData: trailing bytes after the ContentInfo");
  EXPECT_EQ(msg("300f 06092a864886f70d010701 a002 0400"),
            "sig.p7s: byte 2: not a DER PKCS#7 SignedData: content type 1.2.840.113549.1.7.1 is not signedData");
  EXPECT_EQ(msg("3084ffffffff00"), "sig.p7s: byte 0: not a DER PKCS#7 SignedData: expected ContentInfo SEQUENCE (tag 0x30)");
  // SignedData whose digestAlgorithms is a SEQUENCE instead of a SET.
  EXPECT_EQ(msg("3023 06092a864886f70d010702 a016 3014 020101 3000 300b 06092a864886f70d010701 3100"),
            "sig.p7s: byte 20: not a DER PKCS#7 SignedData: expected digestAlgorithms (tag 0x31)");
  // Primitive tag with an indefinite length is not BER.
  EXPECT_EQ(msg("0480"), "sig.p7s: byte 0: not a DER PKCS#7 SignedData: expected ContentInfo SEQUENCE (tag 0x30)");
}

TEST(SignedData, DeepIndefiniteNestingIsRefusedNotRecursedForever) {
  std::string h;
  for (int i = 0; i < 5000; ++i) h += "3080";
  auto r = DetachedSignature::parse(hex(h), "deep");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where.offset, 0u);
}

TEST(Der, ObjectIdentifiers) {
  EXPECT_EQ(der::oid_to_string(hex("2a864886f70d010702")), "1.2.840.113549.1.7.2");
  EXPECT_EQ(der::oid_to_string(hex("608648016503040201")), "2.16.840.1.101.3.4.2.1");
  EXPECT_EQ(der::oid_to_string(hex("2a8648")), "1.2.840");
  EXPECT_EQ(der::oid_to_string(hex("2a86")), std::nullopt);  // truncated sub-identifier
  EXPECT_EQ(der::oid_to_string(hex("2a8001")), std::nullopt);  // non-minimal sub-identifier
  EXPECT_EQ(der::oid_to_string({}), std::nullopt);
}

TEST(Der, AppendTlvUsesMinimalLengths) {
  Bytes out;
  der::append_tlv(out, 0x04, Bytes(3));
  der::append_tlv(out, 0x04, Bytes(200));
  EXPECT_EQ(to_hex(ByteSpan(out).first(5)), "0403000000");
  EXPECT_EQ(to_hex(ByteSpan(out).subspan(5, 3)), "0481c8");
  EXPECT_EQ(out.size(), 5u + 3u + 200u);
}

}  // namespace
}  // namespace sipl::crypto
