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

// An OPTIONAL field whose tag is there but whose TLV does not read (here: a length past what
// remains) is a grammar violation at its tag, never skipped and never read unread (the
// cms-indefinite-length-overread regression, tests/crypto/fuzz_regressions_test.cc).
TEST(SignedData, OptionalFieldsThatDoNotReadAreErrors) {
  auto msg = [](const std::string& h) {
    auto r = DetachedSignature::parse(hex(h), "sig.p7s");
    return r ? std::string("parsed") : r.error().to_string();
  };
  EXPECT_EQ(msg("3026 06092a864886f70d010702 a019 3017 020101 3100 300b 06092a864886f70d010701 a00500 3100"),
            "sig.p7s: byte 35: not a DER PKCS#7 SignedData: malformed certificates [0] (tag 0xa0)");
  EXPECT_EQ(msg("3026 06092a864886f70d010702 a019 3017 020101 3100 300b 06092a864886f70d010701 a10500 3100"),
            "sig.p7s: byte 35: not a DER PKCS#7 SignedData: malformed crls [1] (tag 0xa1)");
  EXPECT_EQ(msg("3028 06092a864886f70d010702 a01b 3019 020101 3100 3010 06092a864886f70d010701 a003 240500 3100"),
            "sig.p7s: byte 37: not a DER PKCS#7 SignedData: malformed constructed eContent OCTET STRING (tag 0x24)");
  EXPECT_EQ(msg("303b 06092a864886f70d010702 a02e 302c 020101 3100 300b 06092a864886f70d010701 3118 3016 020101 8001aa "
                "300b0609608648016503040201 a00500"),
            "sig.p7s: byte 58: not a DER PKCS#7 SignedData: malformed signedAttrs [0] (tag 0xa0)");
  EXPECT_EQ(msg("304b 06092a864886f70d010702 a03e 303c 020101 3100 300b 06092a864886f70d010701 3128 3026 020101 8001aa "
                "300b0609608648016503040201 300b0609608648016503040201 040100 a10500"),
            "sig.p7s: byte 74: not a DER PKCS#7 SignedData: malformed unsignedAttrs [1] (tag 0xa1)");
  // The same SignerInfo with a well-formed empty unsignedAttrs [1] parses: only the length was wrong.
  EXPECT_EQ(msg("304a 06092a864886f70d010702 a03d 303b 020101 3100 300b 06092a864886f70d010701 3127 3025 020101 8001aa "
                "300b0609608648016503040201 300b0609608648016503040201 040100 a100"),
            "parsed");
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
