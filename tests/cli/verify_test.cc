// `sipl verify` end to end: files signed by the kernel's sign-file and the openssl CLI, exact
// messages, JSON fields and exit codes.
#include <gtest/gtest.h>

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "support/openssl_cli.h"
#include "support/must.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::must;

constexpr const char* kSignFile = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";

class VerifyCli : public ::testing::Test {
 protected:
  static std::unique_ptr<test::TempDir> dir;
  static std::string p(const std::string& n) { return (*dir) / n; }
  static void SetUpTestSuite() {
    dir = std::make_unique<test::TempDir>();
    must(fmt::format("mkdir {}", p("certs")));
    must(fmt::format("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout {} -subj /CN=signer -days 30 "
                     "-addext keyUsage=digitalSignature -out {} 2>/dev/null",
                     p("signer.key"), p("certs/signer.pem")));
    must(fmt::format("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout {} -subj /CN=other -days 30 -out {} 2>/dev/null",
                     p("other.key"), p("other.pem")));
    must(fmt::format("head -c 4096 /dev/urandom > {0} && cp {0} {1}", p("kernel"), p("kernel.signed")));
    must(fmt::format("{} sha256 {} {} {}", kSignFile, p("signer.key"), p("certs/signer.pem"), p("kernel.signed")));
    must(fmt::format("head -c 1000 /dev/urandom > {0} && cp {0} {1}", p("initrd"), p("initrd.signed")));
    must(fmt::format("{} sha512 {} {} {}", kSignFile, p("signer.key"), p("certs/signer.pem"), p("initrd.signed")));
    must(fmt::format("openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -signer {} -inkey {} -in {} -out {}",
                     p("certs/signer.pem"), p("signer.key"), p("kernel"), p("kernel.p7s")));
  }
  static void TearDownTestSuite() { dir.reset(); }
};
std::unique_ptr<test::TempDir> VerifyCli::dir;

TEST_F(VerifyCli, SignFileOutputVerifiesAtTheSignersStoreIndex) {
  auto r = test::run_sipl({"verify", p("kernel.signed"), p("other.pem"), p("certs")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            fmt::format("{}: verified by store certificate 2 (DIAG 0x508 cert_store_index 1): {} (CN=signer)",
                        p("kernel.signed"), p("certs/signer.pem")));
  EXPECT_NE(r.out.find(fmt::format("  [1] {}: the signature does not verify with this certificate's key", p("other.pem"))),
            std::string::npos) << r.out;
}

TEST_F(VerifyCli, JsonReport) {
  auto jr = test::run_sipl_json(
      {"verify", "--json", "--boot-certs", p("other.pem"), "--boot-certs", p("certs"), p("initrd.signed")});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["schema_version"], 2);
  EXPECT_EQ(j["verified"], true);
  EXPECT_EQ(j["store_index"], 2);  // 1-based, as `sipl certs` numbers the store
  EXPECT_EQ(j["signature_source"], "appended");
  EXPECT_TRUE(j["signature_file"].is_null());
  EXPECT_EQ(j["diag508_rc"], "0x0001");
  EXPECT_EQ(j["payload_size"], 1000);
  EXPECT_EQ(j["certificate"]["subject"], "CN=signer");
  EXPECT_EQ(j["signature"]["digest"], "sha512");
  EXPECT_EQ(j["candidates"][0]["status"], "wrong_key");
  EXPECT_EQ(j["candidates"][1]["status"], "verified");
  EXPECT_EQ(j["candidates"][1]["store_index"], 2);
  EXPECT_EQ(j["findings"].size(), 0u);
}

TEST_F(VerifyCli, ExpiredAtTheGivenTimeIsNotVerified) {
  auto jr = test::run_sipl_json({"verify", "--json", "--at", "2099-01-01T00:00:00Z", p("kernel.signed"), p("certs")});
  EXPECT_EQ(jr.run.exit_code, 1);
  const auto& j = jr.json;
  EXPECT_EQ(j["verified"], false);
  EXPECT_EQ(j["store_index"], nullptr);
  EXPECT_EQ(j["certificate"], nullptr);
  EXPECT_EQ(j["diag508_rc"], "0x0402");
  EXPECT_EQ(j["candidates"][0]["status"], "expired");
  EXPECT_EQ(j["at"], "2099-01-01T00:00:00Z");
}

TEST_F(VerifyCli, DetachedSignature) {
  auto r = test::run_sipl({"verify", "--signature", p("kernel.p7s"), p("kernel"), p("certs/signer.pem")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto jr = test::run_sipl_json({"verify", "--json", "--signature", p("kernel.p7s"), p("initrd"), p("certs/signer.pem")});
  EXPECT_EQ(jr.run.exit_code, 1) << jr.run.out;
  const auto& j = jr.json;
  EXPECT_EQ(j["signature_source"], "detached");
  EXPECT_EQ(j["signature_file"], p("kernel.p7s"));
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["id"], "verify.signer_not_in_store");
  const std::string serial = test::openssl_serial(p("certs/signer.pem"));
  EXPECT_EQ(j["findings"][0]["message"],
            fmt::format("no certificate in the store verifies the signature: the signer (serial {}) is not in the store, "
                        "or the component or signature changed after signing", serial));
}

// QEMU's store warnings go to stderr once, as the store is built; the text report does not
// repeat them, the JSON report keeps them among its findings.
TEST_F(VerifyCli, StoreWarningAppearsOnceInTextAndStaysInJson) {
  must(fmt::format("mkdir -p {0} && cp {1} {0}/signer.pem && echo notes > {0}/README", p("warn"), p("certs/signer.pem")));
  const std::string warning = p("warn") + ": skipping 'README': not a .pem file";
  auto r = test::run_sipl({"verify", p("kernel.signed"), p("warn")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "sipl: warning: " + warning + "\n");
  // sign-file appends the PKCS#7, a 12-byte struct module_signature and a 28-byte marker.
  const auto signed_size = std::stoull(test::sh(fmt::format("stat -c %s {}", p("kernel.signed"))).out);
  EXPECT_EQ(r.out, fmt::format("{0}: verified by store certificate 1 (DIAG 0x508 cert_store_index 0): {1} (CN=signer)\n"
                               "  component: 4096 bytes; signature: appended ({2} bytes)\n"
                               "  signer info #0 of 1: RSA sha256, signer serial {3}\n"
                               "  [1] {1}: the signature verifies with this certificate\n",
                               p("kernel.signed"), p("warn/signer.pem"), signed_size - 4096 - 40,
                               test::openssl_serial(p("certs/signer.pem"))));
  size_t seen = 0;
  for (const std::string* s : {&r.out, &r.err})
    for (size_t at = s->find(warning); at != std::string::npos; at = s->find(warning, at + 1)) ++seen;
  EXPECT_EQ(seen, 1u);

  auto jr = test::run_sipl_json({"verify", "--json", p("kernel.signed"), p("warn")});
  EXPECT_EQ(jr.run.exit_code, 0) << jr.run.err;
  EXPECT_EQ(jr.run.err, "sipl: warning: " + warning + "\n");
  const auto& j = jr.json;
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["id"], "store.skip_not_pem");
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
  EXPECT_EQ(j["findings"][0]["message"], warning);

  // A later path that QEMU refuses: the warnings before it are still printed, as by `sipl certs`.
  r = test::run_sipl({"verify", p("kernel.signed"), p("warn"), p("missing")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "sipl: warning: " + warning + "\nsipl: error: Failed to stat path '" + p("missing") +
                       "': No such file or directory\n");
}

TEST_F(VerifyCli, BlockSizeWarning) {
  auto r = test::run_sipl({"verify", "--block-size", "512", p("initrd.signed"), p("certs")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("  warning: the signed payload is 1000 bytes, not a multiple of the 512-byte disk block: the BIOS "
                       "hands DIAG 0x508 the length in whole blocks (1024 bytes), so it will not verify on a real boot"),
            std::string::npos) << r.out;
  r = test::run_sipl({"verify", "--block-size", "4096", p("kernel.signed"), p("certs")});
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
  EXPECT_EQ(test::run_sipl({"verify", "--block-size", "1000", p("kernel.signed"), p("certs")}).exit_code, 2);
}

TEST_F(VerifyCli, UnsignedMalformedAndUnreadable) {
  auto r = test::run_sipl({"verify", p("kernel"), p("certs")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("carries no appended signature"), std::string::npos) << r.out;
  // A sig_len larger than the file: malformed trailer, exit 3, still reported.
  must(fmt::format("cp {0} {1} && printf '\\377\\377\\377\\377' | dd of={1} bs=1 seek=$(($(stat -c %s {1}) - 32)) "
                   "conv=notrunc 2>/dev/null",
                   p("kernel.signed"), p("bad.signed")));
  auto bad = test::run_sipl_json({"verify", "--json", p("bad.signed"), p("certs")});
  EXPECT_EQ(bad.run.exit_code, 3) << bad.run.out;
  EXPECT_EQ(bad.json["error"]["code"], "bad_input");
  EXPECT_EQ(bad.json["error"]["location"]["path"], p("bad.signed"));
  EXPECT_EQ(bad.run.err.rfind("sipl: error: " + p("bad.signed") + ": byte ", 0), 0u) << bad.run.err;
  r = test::run_sipl({"verify", p("missing"), p("certs")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.rfind("sipl: error: ", 0), 0u) << r.err;
  // Both ways of naming certificates at once: usage error.
  EXPECT_EQ(test::run_sipl({"verify", "--boot-certs", p("certs"), p("kernel.signed"), p("certs")}).exit_code, 2);
  // Garbage where the signature should be: QEMU's "verification failed".
  must(fmt::format("head -c 300 /dev/zero > {}", p("zero.p7s")));
  auto zero = test::run_sipl_json({"verify", "--json", "--signature", p("zero.p7s"), p("kernel"), p("certs")});
  EXPECT_EQ(zero.run.exit_code, 1);
  const auto& j = zero.json;
  EXPECT_EQ(j["diag508_rc"], "0x0402");
  EXPECT_EQ(j["findings"][0]["id"], "verify.malformed_signature");
}

}  // namespace
}  // namespace sipl
