// Appended-signature parsing: expected layouts are written out byte by byte from
// Linux scripts/sign-file.c, include/linux/module_signature.h and compared with the kernel's
// sign-file output.
#include "sipl/image/appended_signature.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/signing_keys.h"
#include "support/run.h"

namespace sipl::image {
namespace {

const std::string kMarker = "~Module signature appended~\n";

// The 12-byte descriptor as Linux's struct module_signature lays it out: algo, hash, id_type,
// signer_len, key_id_len, pad[3], sig_len big-endian.
std::string descriptor(uint32_t sig_len, uint8_t id_type = 2) {
  std::string d(12, '\0');
  d[2] = static_cast<char>(id_type);
  d[8] = static_cast<char>(sig_len >> 24);
  d[9] = static_cast<char>(sig_len >> 16);
  d[10] = static_cast<char>(sig_len >> 8);
  d[11] = static_cast<char>(sig_len);
  return d;
}

std::string error_of(const std::string& file) {
  auto r = parse_appended_signature(as_bytes(file), "f.bin");
  if (r) return "parsed";
  return r.error().to_string();
}

TEST(AppendedSignature, UnsignedAndEmptyFilesHaveNone) {
  for (std::string f : {std::string(), std::string("hello"), std::string(1000, 'x'), kMarker.substr(1)}) {
    auto r = parse_appended_signature(as_bytes(f), "f.bin");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(r->has_value());
  }
}

TEST(AppendedSignature, ParsesFieldsAndRoundTrips) {
  const std::string payload = "PAYLOAD-BYTES";
  const std::string sig = "0\x82SIGNATURE";
  const std::string file = payload + sig + descriptor(static_cast<uint32_t>(sig.size())) + kMarker;
  auto r = parse_appended_signature(as_bytes(file), "f.bin");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE(r->has_value());
  const auto& s = **r;
  EXPECT_EQ(to_string(s.payload), payload);
  EXPECT_EQ(to_string(s.signature), sig);
  EXPECT_EQ(s.payload_size, payload.size());
  EXPECT_EQ(s.sig_len, sig.size());
  EXPECT_FALSE(s.signed_twice);
  EXPECT_EQ(to_string(append_signature(s.payload, s.signature)), file);
  EXPECT_EQ(to_string(signature_trailer(static_cast<uint32_t>(sig.size()))), descriptor(sig.size()) + kMarker);
}

TEST(AppendedSignature, SignatureFillingTheWholeFileLeavesAnEmptyPayload) {
  const std::string file = "SIG" + descriptor(3) + kMarker;
  auto r = parse_appended_signature(as_bytes(file), "f.bin");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->payload_size, 0u);
  EXPECT_EQ(to_string((*r)->signature), "SIG");
}

TEST(AppendedSignature, MarkerWithoutRoomForTheDescriptor) {
  EXPECT_EQ(error_of(kMarker),
            "f.bin: byte 0: file ends in the appended-signature marker but is only 28 bytes, too short for the "
            "12-byte signature descriptor before it");
  EXPECT_EQ(error_of("12345678901" + kMarker),
            "f.bin: byte 0: file ends in the appended-signature marker but is only 39 bytes, too short for the "
            "12-byte signature descriptor before it");
}

TEST(AppendedSignature, SigLenZeroTooLargeAndMaximal) {
  const std::string body(100, 'a');  // descriptor at byte 100, sig_len at byte 108
  EXPECT_EQ(error_of(body + descriptor(0) + kMarker),
            "f.bin: byte 108: signature descriptor sig_len is 0: the trailer announces an empty signature");
  EXPECT_EQ(error_of(body + descriptor(101) + kMarker),
            "f.bin: byte 108: signature descriptor sig_len is 101 but only 100 bytes precede the descriptor");
  EXPECT_EQ(error_of(body + descriptor(0xFFFFFFFFu) + kMarker),
            "f.bin: byte 108: signature descriptor sig_len is 4294967295 but only 100 bytes precede the "
            "descriptor");
  EXPECT_EQ(error_of(descriptor(1) + kMarker),
            "f.bin: byte 8: signature descriptor sig_len is 1 but only 0 bytes precede the descriptor");
}

TEST(AppendedSignature, WrongIdType) {
  const std::string body(50, 'a');
  EXPECT_EQ(error_of(body + descriptor(10, 1) + kMarker),
            "f.bin: byte 52: signature descriptor id_type is 1, expected 2 (PKCS#7)");
  EXPECT_EQ(error_of(body + descriptor(10, 0) + kMarker),
            "f.bin: byte 52: signature descriptor id_type is 0, expected 2 (PKCS#7)");
}

TEST(AppendedSignature, EveryNonZeroDescriptorFieldIsNamed) {
  const std::string body(50, 'a');
  const std::pair<size_t, const char*> fields[] = {{0, "algo"},       {1, "hash"},   {3, "signer_len"},
                                                   {4, "key_id_len"}, {5, "pad[0]"}, {6, "pad[1]"},
                                                   {7, "pad[2]"}};
  for (auto [off, name] : fields) {
    std::string d = descriptor(10);
    d[off] = '\x07';
    EXPECT_EQ(error_of(body + d + kMarker),
              "f.bin: byte " + std::to_string(50 + off) + ": signature descriptor field " + name +
                  " is 7, expected 0 for a PKCS#7 signature");
  }
}

TEST(AppendedSignature, SigLenIsCheckedBeforeTheOtherFields) {
  std::string d = descriptor(0xFFFFFFFFu, 9);
  d[0] = '\x01';
  EXPECT_EQ(error_of("abc" + d + kMarker),
            "f.bin: byte 11: signature descriptor sig_len is 4294967295 but only 3 bytes precede the descriptor");
}

TEST(AppendedSignature, DetectsAFileSignedTwiceAndStripsBothLayers) {
  const std::string once = "DATA" + std::string("S1") + descriptor(2) + kMarker;
  const std::string twice = once + "S22" + descriptor(3) + kMarker;
  auto r = parse_appended_signature(as_bytes(twice), "f.bin");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_TRUE((*r)->signed_twice);
  EXPECT_EQ(to_string((*r)->payload), once);
  auto stripped = strip_appended_signatures(as_bytes(twice), "f.bin");
  ASSERT_TRUE(stripped);
  EXPECT_EQ(to_string(*stripped), "DATA");
  const std::string data = "DATA";  // must outlive the result: it is a view into the input
  auto plain = strip_appended_signatures(as_bytes(data), "f.bin");
  ASSERT_TRUE(plain);
  EXPECT_EQ(to_string(*plain), "DATA");
}

TEST(AppendedSignature, StripReportsAMalformedInnerTrailerAtItsFileOffset) {
  const std::string inner = "DATA" + descriptor(0) + kMarker;  // inner sig_len 0 at byte 12
  const std::string twice = inner + "S22" + descriptor(3) + kMarker;
  auto stripped = strip_appended_signatures(as_bytes(twice), "f.bin");
  ASSERT_FALSE(stripped);
  EXPECT_EQ(stripped.error().to_string(),
            "f.bin: byte 12: signature descriptor sig_len is 0: the trailer announces an empty signature");
}

// sign-file's own output: every field as struct module_signature describes it, and the signature
// equal to the .p7s sign-file saves with -p.
TEST(AppendedSignature, ParsesTheKernelSignFileOutput) {
  test::TempDir dir;
  const auto& kp = test::openssl_key("rsa:2048");
  const std::string original = std::string(3000, 'k') + "end";
  test::write_text(dir / "m.bin", original);
  auto r = test::sh(std::string(test::kSignFile) + " -p sha256 " + kp.key + " " + kp.cert + " " + (dir / "m.bin"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string file = test::read_text(dir / "m.bin");
  const std::string p7s = test::read_text(dir / "m.bin.p7s");
  ASSERT_EQ(file.size(), original.size() + p7s.size() + 40);
  auto parsed = parse_appended_signature(as_bytes(file), dir / "m.bin");
  ASSERT_TRUE(parsed && parsed->has_value());
  const auto& s = **parsed;
  EXPECT_EQ(to_string(s.payload), original);
  EXPECT_EQ(s.payload_size, original.size());
  EXPECT_EQ(s.sig_len, p7s.size());
  EXPECT_EQ(to_string(s.signature), p7s);
  EXPECT_FALSE(s.signed_twice);
  EXPECT_EQ(file.substr(file.size() - 40), descriptor(static_cast<uint32_t>(p7s.size())) + kMarker);
  EXPECT_EQ(to_string(append_signature(s.payload, s.signature)), file);

  // sign-file signs a signed file again without complaint: the parser must notice.
  r = test::sh(std::string(test::kSignFile) + " sha256 " + kp.key + " " + kp.cert + " " + (dir / "m.bin"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string twice = test::read_text(dir / "m.bin");
  parsed = parse_appended_signature(as_bytes(twice), "m.bin");
  ASSERT_TRUE(parsed && parsed->has_value());
  EXPECT_TRUE((*parsed)->signed_twice);
  EXPECT_EQ(to_string((*parsed)->payload), file);
}

}  // namespace
}  // namespace sipl::image
