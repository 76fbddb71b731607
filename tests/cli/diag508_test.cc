// `sipl diag 508`: the return code and the 64-byte SVB the guest reads back, for a component and
// detached signature made by the openssl CLI.
#include <gtest/gtest.h>

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "support/must.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::must;

class Diag508Cli : public ::testing::Test {
 protected:
  static std::unique_ptr<test::TempDir> dir;
  static std::string p(const std::string& n) { return (*dir) / n; }
  static void SetUpTestSuite() {
    dir = std::make_unique<test::TempDir>();
    for (std::string n : {"signer", "other"})
      must(fmt::format("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout {0}.key -subj /CN={1} -days 30 -out {0}.pem "
                       "2>/dev/null",
                       p(n), n));
    must(fmt::format("head -c 3000 /dev/urandom > {}", p("comp")));
    must(fmt::format("openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -signer {} -inkey {} -in {} -out {}",
                     p("signer.pem"), p("signer.key"), p("comp"), p("comp.p7s")));
  }
  static void TearDownTestSuite() { dir.reset(); }
};
std::unique_ptr<test::TempDir> Diag508Cli::dir;

TEST_F(Diag508Cli, VerifiedSvbCarriesIndexAndDerLength) {
  auto jr = test::run_sipl_json({"diag", "508", "--json", "--component", p("comp"), "--signature", p("comp.p7s"),
                                 p("other.pem"), p("signer.pem")});
  ASSERT_EQ(jr.run.exit_code, 0) << jr.run.out << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["rc"], "0x0001");
  EXPECT_EQ(j["subcode"], "0x8000");
  EXPECT_EQ(j["store_index"], 2);  // the second store certificate, 1-based as `sipl certs` numbers it
  EXPECT_EQ(j["svb"]["cert_store_index"], 1);  // the SVB carries it 0-based
  size_t der = std::stoul(test::sh(fmt::format("openssl x509 -in {} -outform DER | wc -c", p("signer.pem"))).out);
  size_t sig = std::stoul(test::sh(fmt::format("wc -c < {}", p("comp.p7s"))).out);
  // The SVB from the spec's table: length 64, index 1, cert_len, comp 3000 @ 0x10000,
  // signature @ 0x11000 (next 4 KiB boundary after the component).
  std::string expect = "00000040" + std::string(24, '0') + "01" + std::string(14, '0') +
                       fmt::format("{:016x}{:016x}{:016x}{:016x}{:016x}", der, 3000, 0x10000, sig, 0x11000);
  EXPECT_EQ(j["svb_hex"], expect);
  EXPECT_EQ(j["svb"]["comp_addr"], "0x0000000000010000");
  EXPECT_EQ(j["svb"]["sig_addr"], "0x0000000000011000");
  EXPECT_EQ(j["candidates"][0]["status"], "wrong_key");
  EXPECT_EQ(j["candidates"][0]["store_index"], 1);
}

TEST_F(Diag508Cli, ReturnCodesAndExitStatus) {
  auto r = test::run_sipl({"diag", "508", "--component", p("comp"), "--signature", p("comp.p7s"), p("other.pem")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "rc 0x0402");
  r = test::run_sipl({"diag", "508", "--subcode", "0", "--component", p("comp"), "--signature", p("comp.p7s"), p("other.pem")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "rc 0x8000");
  r = test::run_sipl({"diag", "508", "--subcode", "1", "--component", p("comp"), "--signature", p("comp.p7s"), p("other.pem")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "program exception: specification");
  must(fmt::format("head -c 4097 /dev/zero > {}", p("big.p7s")));
  r = test::run_sipl({"diag", "508", "--component", p("comp"), "--signature", p("big.p7s"), p("signer.pem")});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "rc 0x0302");
  EXPECT_NE(r.err.find("sipl: warning: DIAG 0x508: signature length 4097 exceeds current maximum 4096"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace sipl
