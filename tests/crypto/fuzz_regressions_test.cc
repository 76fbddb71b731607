// Inputs the fuzzers found, each a named test that feeds the exact file through the API path the
// fuzzer took and asserts the exact result (LLVM unittests/Object/ObjectFuzzRegressions.cpp).
// The files live in tests/data/corpus/regressions (PROVENANCE.md) and, as seeds, under
// fuzz/corpus/<target>/ so the fuzz_replay.<target> ctest replays them under the target's
// own invariants too.
#include <gtest/gtest.h>

#include <string>

#include "sipl/base/file.h"
#include "sipl/crypto/cms_verify.h"
#include "support/test_data.h"

namespace sipl::crypto {
namespace {

Bytes regression(const std::string& name) {
  auto b = read_file(test::data_path("corpus/regressions/" + name), 1 << 20);
  return b ? *b : Bytes{};
}

// cms_verify_fuzzer, heap-buffer-overflow read in der::Reader::next_at_depth: the certificates
// [0] at byte 51 claims 200 bytes where 163 remain. The parser peeked the tag, then dereferenced
// the reader's empty result and walked a Tlv it never read (stale stack bytes: under ASan a span
// past the heap buffer; with GCC it happened to name byte 42 as a "malformed certificate").
TEST(FuzzRegressions, CmsIndefiniteLengthOverread) {
  const Bytes blob = regression("cms-indefinite-length-overread.p7s");
  ASSERT_EQ(blob.size(), 217u);
  const char* want =
      "cms-indefinite-length-overread.p7s: byte 51: not a DER PKCS#7 SignedData: malformed certificates [0] (tag 0xa0)";
  auto parsed = DetachedSignature::parse(blob, "cms-indefinite-length-overread.p7s");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(parsed.error().to_string(), want);

  // The fuzzer's path: verify_detached parses the same way and reports a finding, never an error.
  auto v = verify_detached(blob, as_bytes("component bytes signed for the fuzzer"), {}, 1000000000);
  EXPECT_FALSE(v.verified);
  EXPECT_FALSE(v.signature.has_value());
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].id, "verify.malformed_signature");
  EXPECT_EQ(v.findings[0].message, "signature: byte 51: not a DER PKCS#7 SignedData: malformed certificates [0] (tag 0xa0)");
}

}  // namespace
}  // namespace sipl::crypto
