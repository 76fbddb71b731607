// Fuzzer findings that a CLI verb reaches with a file sipl did not write: the exact output and
// exit code of each path (the library-level tests are in tests/crypto/fuzz_regressions_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sipl/base/file.h"
#include "sipl/image/appended_signature.h"
#include "support/json_schema.h"
#include "support/must.h"
#include "support/run.h"
#include "support/test_data.h"

namespace sipl {
namespace {

using test::must;

// cms-indefinite-length-overread.p7s: before the fix, parse_signed_data walked a certificates
// [0] it never read (under ASan a heap over-read; the GCC build printed "byte 42: malformed
// certificate"). The same parser reads a detached signature (verify --signature), an appended
// one (verify FILE) and a disk's SIGNATURE component (boot, through DIAG 0x508). A malformed
// signature is QEMU's rc 0x0402, a verdict: exit 1, as for any other unverifiable component.
class FuzzRegressionsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    blob_ = test::data_path("corpus/regressions/cms-indefinite-length-overread.p7s");
    auto b = read_file(blob_, 1 << 20);
    ASSERT_TRUE(b) << b.error().to_string();
    must(fmt::format("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout {} -subj /CN=fuzz -days 30 -out {} 2>/dev/null",
                     dir / "key.pem", dir / "cert.pem"));
    must(fmt::format("head -c 4096 /dev/urandom > {0} && cp {0} {1}", dir / "kernel", dir / "stage3.bin"));
    auto kernel = read_file(dir / "kernel", 1 << 20);
    ASSERT_TRUE(kernel);
    Bytes signed_kernel = image::append_signature(*kernel, *b);
    ASSERT_TRUE(write_file_atomic(dir / "kernel.signed", signed_kernel));
  }
  static constexpr const char* kParseError =
      "signature: byte 51: not a DER PKCS#7 SignedData: malformed certificates [0] (tag 0xa0)";
  test::TempDir dir;
  std::string blob_;
};

TEST_F(FuzzRegressionsCli, VerifyDetachedCmsIndefiniteLengthOverread) {
  auto r = test::run_sipl({"verify", "--signature", blob_, dir / "kernel", dir / "cert.pem"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, fmt::format("{}: NOT verified (DIAG 0x508 rc 0x0402)\n"
                               "  component: 4096 bytes; signature: {} (217 bytes)\n"
                               "  [1] {}: {}\n"
                               "  error: {}\n",
                               dir / "kernel", blob_, dir / "cert.pem", kParseError, kParseError));
  auto jr = test::run_sipl_json({"verify", "--json", "--signature", blob_, dir / "kernel", dir / "cert.pem"});
  EXPECT_EQ(jr.run.exit_code, 1);
  const auto& j = jr.json;
  EXPECT_EQ(j["diag508_rc"], "0x0402");
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["id"], "verify.malformed_signature");
  EXPECT_EQ(j["findings"][0]["message"], kParseError);
}

TEST_F(FuzzRegressionsCli, VerifyAppendedCmsIndefiniteLengthOverread) {
  auto r = test::run_sipl({"verify", dir / "kernel.signed", dir / "cert.pem"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, fmt::format("{}: NOT verified (DIAG 0x508 rc 0x0402)\n"
                               "  component: 4096 bytes; signature: appended (217 bytes)\n"
                               "  [1] {}: {}\n"
                               "  error: {}\n",
                               dir / "kernel.signed", dir / "cert.pem", kParseError, kParseError));
}

// On a disk the blob is the kernel's SIGNATURE component: DIAG 0x508 parses it and returns
// 0x0402; in Audit mode the boot goes on with the warning.
TEST_F(FuzzRegressionsCli, BootCmsIndefiniteLengthOverreadOnDisk) {
  auto r = test::run_sipl({"mkdisk", "-o", dir / "disk.img", "--stage3", dir / "stage3.bin", "--kernel",
                           dir / "kernel.signed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto jr = test::run_sipl_json({"boot", "--json", "--disk", dir / "disk.img", "--boot-certs", dir / "cert.pem"});
  EXPECT_EQ(jr.run.exit_code, 0) << jr.run.err;
  EXPECT_EQ(jr.run.err, "");  // --json: the notes are in the report
  const auto& j = jr.json;
  EXPECT_EQ(j["verdict"], "boots_with_warnings");
  const auto console = j["console"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(console.begin(), console.end(), "AUDIT MODE WARNING: Could not verify component"), console.end());
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["id"], "boot.verify_failed");
  EXPECT_EQ(j["findings"][0]["severity"], "info");
  EXPECT_EQ(j["findings"][0]["message"], "DIAG 0x508 for the component at 0x10000 (4096 bytes): rc 0x0402");
}

}  // namespace
}  // namespace sipl
