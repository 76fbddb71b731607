// `sipl diag 320`: exit codes, exact bytes of -o and stdout, --hex, --json. Expected blocks are
// assembled from QEMU target/s390x/diag.c handle_diag_320, include/hw/s390x/ipl/diag320.h offsets
// and the openssl/certtool/iconv values of hv/diag320_certs.h.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/json_schema.h"

#include "hv/diag320_certs.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::CertSet;
using test::ToolCert;

uint32_t be32(const std::string& s, size_t off) {
  auto b = [&](size_t i) { return uint32_t(static_cast<unsigned char>(s.at(off + i))); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}
uint16_t be16(const std::string& s, size_t off) {
  return uint16_t(uint32_t(static_cast<unsigned char>(s.at(off))) << 8 |
                  static_cast<unsigned char>(s.at(off + 1)));
}
std::string bytes_str(const Bytes& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }
uint32_t r4(size_t n) { return uint32_t((n + 3) / 4 * 4); }
uint32_t vce_len(const ToolCert& c) { return c.time_valid ? 128 + 64 + r4(c.der.size()) : 72; }

std::string be32s(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}
std::string be16s(uint16_t v) { return {char(v >> 8), char(v)}; }

// A VCE (QEMU include/hw/s390x/ipl/diag320.h) assembled from tool values.
std::string expected_vce(const ToolCert& c, uint16_t idx) {
  std::string v;
  v += be32s(vce_len(c));
  v += c.time_valid ? '\x80' : '\0';
  v += (c.time_valid && c.p521) ? '\x01' : '\0';
  v += be16s(idx);
  v += bytes_str(c.name_ebcdic);
  if (!c.time_valid) return v;
  v += std::string("\x01\x00", 2) + be16s(32) + std::string("\x00\x01", 2) + be16s(32);
  v += std::string(4, '\0') + be32s(uint32_t(c.der.size())) + std::string(8, '\0');
  v += be16s(160) + be16s(192) + std::string(28, '\0');
  v += bytes_str(c.key_id) + bytes_str(c.fingerprint) + bytes_str(c.der);
  v += std::string(r4(c.der.size()) - c.der.size(), '\0');
  return v;
}

class DiagCliTest : public ::testing::Test {
 protected:
  std::vector<std::string> args(std::vector<std::string> a, bool with_certs = true) {
    a.insert(a.begin(), {"diag", "320"});
    if (with_certs)
      for (const auto& p : set_.paths()) a.push_back(p);
    return a;
  }
  const CertSet& set_ = CertSet::get();
  test::TempDir out_;
};

TEST_F(DiagCliTest, Subcode0WritesTheIsmToStdoutAndRcToStderr) {
  auto r = test::run_sipl(args({"--subcode", "0"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("\xE0\0\0\0", 4) + std::string(28, '\0'));
  EXPECT_EQ(r.err, "rc 0x0001\n");
}

TEST_F(DiagCliTest, Subcode1OutputFileHoldsTheVcssb) {
  const std::string out = out_ / "vcssb.bin";
  auto r = test::run_sipl(args({"--subcode", "1", "-o", out}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "rc 0x0001\n");
  uint32_t largest = 0, total = 0;
  for (const auto& c : set_.certs) {
    largest = std::max(largest, 64 + r4(c.der.size()));
    total += 64 + r4(c.der.size());
  }
  std::string expect = be32s(128) + std::string(28, '\0') + be16s(5) + be16s(64) +
                       std::string(44, '\0') + be32s(64 + 128 + largest) +
                       be32s(64 + 5 * 128 + total) + std::string(40, '\0');
  EXPECT_EQ(test::read_text(out), expect);
}

TEST_F(DiagCliTest, Subcode1OfAnEmptyStoreHasLength4) {
  auto r = test::run_sipl(args({"--subcode", "1"}, false));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, be32s(4) + std::string(124, '\0'));
}

TEST_F(DiagCliTest, Subcode2WritesTheWholeStoreByteExact) {
  const std::string out = out_ / "vcb.bin";
  auto r = test::run_sipl(args({"--subcode", "2", "-o", out}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  uint32_t need = 64;
  std::string vces;
  for (size_t i = 0; i < set_.certs.size(); ++i) {
    need += 128 + 64 + r4(set_.certs[i].der.size());  // the BIOS budgets full entries
    vces += expected_vce(set_.certs[i], uint16_t(i + 1));
  }
  const uint32_t in_len = (need + 4095) / 4096 * 4096;
  std::string expect = be32s(in_len) + std::string(4, '\0') + be16s(1) + be16s(5) +
                       std::string(20, '\0') + be32s(uint32_t(64 + vces.size())) +
                       std::string(4, '\0') + be16s(5) + be16s(0) + std::string(20, '\0') + vces;
  EXPECT_EQ(test::read_text(out), expect);
  EXPECT_NE(r.err.find("has expired at"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not yet valid at"), std::string::npos) << r.err;
}

TEST_F(DiagCliTest, Subcode2OfAnEmptyStoreIsTheHeaderOnly) {
  auto r = test::run_sipl(args({"--subcode", "2"}, false));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, be32s(4096) + std::string(28, '\0') + be32s(64) + std::string(28, '\0'));
  EXPECT_EQ(r.err, "rc 0x0001\n");
}

TEST_F(DiagCliTest, FirstAloneRunsToTheEndOfTheStore) {
  auto r = test::run_sipl(args({"--subcode", "2", "--first", "4"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(be16(r.out, 8), 4);
  EXPECT_EQ(be16(r.out, 10), 5);
  EXPECT_EQ(r.out.substr(64), expected_vce(set_.certs[3], 4) + expected_vce(set_.certs[4], 5));
}

TEST_F(DiagCliTest, FirstAndLastSelectOneCertificate) {
  auto r = test::run_sipl(args({"--subcode", "2", "--first", "3", "--last", "3"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const ToolCert& p521 = set_.by_file("p521.pem");
  ASSERT_EQ(r.out.size(), 64 + vce_len(p521));
  EXPECT_EQ(be32(r.out, 0), 4096u) << "in_len: one page holds it";
  EXPECT_EQ(r.out.substr(64), expected_vce(p521, 3));
}

TEST_F(DiagCliTest, SmallInLenLeavesRemainCount) {
  const ToolCert& rsa = set_.by_file("rsa.pem");
  std::vector<std::string> a = {"diag", "320", "--subcode", "2", "--in-len", "4096"};
  for (int i = 0; i < 6; ++i) a.push_back(rsa.path);
  auto r = test::run_sipl(a);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const uint32_t fit = (4096 - 64) / vce_len(rsa);
  ASSERT_LT(fit, 6u);
  EXPECT_EQ(be16(r.out, 40), fit);
  EXPECT_EQ(be16(r.out, 42), 6 - fit);
  EXPECT_EQ(r.out.size(), 64 + fit * vce_len(rsa));
}

TEST_F(DiagCliTest, ReturnCodesOtherThan1ExitWith1) {
  struct Case {
    std::vector<std::string> opts;
    std::string rc;
  };
  for (const auto& c : std::vector<Case>{{{"--subcode", "2", "--in-len", "0"}, "rc 0x0204\n"},
                                         {{"--subcode", "2", "--in-len", "5000"}, "rc 0x0204\n"},
                                         {{"--subcode", "2", "--first", "3", "--last", "2"}, "rc 0x0302\n"},
                                         {{"--subcode", "3"}, "rc 0x0102\n"},
                                         {{"--subcode", "255"}, "rc 0x0102\n"}}) {
    auto r = test::run_sipl(args(c.opts));
    EXPECT_EQ(r.exit_code, 1) << c.rc;
    EXPECT_NE(r.err.find(c.rc), std::string::npos) << r.err;
  }
}

TEST_F(DiagCliTest, HighSubcodeBitsAreASpecificationExceptionAndWriteNothing) {
  const std::string out = out_ / "none.bin";
  auto r = test::run_sipl(args({"--subcode", "256", "-o", out}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "program exception: specification\n");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(DiagCliTest, HexPrintsRcAndDump) {
  auto r = test::run_sipl(args({"--subcode", "0", "--hex"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "rc 0x0001\n"
            "00000000: e000 0000 0000 0000 0000 0000 0000 0000  ................\n"
            "00000010: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n");
}

TEST_F(DiagCliTest, JsonDecodesTheVcb) {
  auto jr = test::run_sipl_json(args({"--subcode", "2", "--json", "--at", "@" + std::to_string(time(nullptr) + 3600)}));
  EXPECT_EQ(jr.run.exit_code, 0) << jr.run.err;
  const auto& j = jr.json;
  EXPECT_EQ(j["schema_version"], 2);
  EXPECT_EQ(j["subcode"], "0x02");
  EXPECT_EQ(j["rc"], "0x0001");
  EXPECT_TRUE(j["program_exception"].is_null());
  EXPECT_TRUE(j["ism"].is_null());
  EXPECT_TRUE(j["vcssb"].is_null());
  EXPECT_EQ(j["vcb"]["stored_ct"], 5);
  EXPECT_EQ(j["vcb"]["remain_ct"], 0);
  ASSERT_EQ(j["vcb"]["entries"].size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    const auto& e = j["vcb"]["entries"][i];
    const ToolCert& c = set_.certs[i];
    EXPECT_EQ(e["store_index"], i + 1);
    EXPECT_EQ(e["name"], c.file);
    EXPECT_EQ(e["path"], c.path);
    EXPECT_EQ(e["valid"], c.time_valid) << c.file;
    EXPECT_EQ(e["length"], vce_len(c));
    if (!c.time_valid) {
      EXPECT_TRUE(e["key_id"].is_null());  // a 72-byte VCE ends after the name
      continue;
    }
    EXPECT_EQ(e["vce_key_type"], c.p521 ? 1 : 0);
    EXPECT_EQ(e["key_id"], to_hex(c.key_id));
    EXPECT_EQ(e["hash"], to_hex(c.fingerprint));
    EXPECT_EQ(e["cert_length"], c.der.size());
  }
  ASSERT_EQ(j["findings"].size(), 2u);
}

TEST_F(DiagCliTest, JsonReportsAProgramException) {
  auto jr = test::run_sipl_json(args({"--subcode", "0x10000", "--json"}));
  EXPECT_EQ(jr.run.exit_code, 1);
  const auto& j = jr.json;
  EXPECT_EQ(j["program_exception"], "specification");
  EXPECT_TRUE(j["rc"].is_null());
}

TEST_F(DiagCliTest, DryRunWritesNoFile) {
  const std::string out = out_ / "dry.bin";
  auto r = test::run_sipl(args({"--subcode", "1", "-o", out, "--dry-run"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(DiagCliTest, StoreErrorsAreQemuMessagesWithExit3) {
  const std::string bad = out_ / "cert.crt";
  test::write_text(bad, "x");
  auto r = test::run_sipl({"diag", "320", "--subcode", "1", bad});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: Certificate file '" + bad + "' must have a .pem extension\n");
  EXPECT_TRUE(r.out.empty());
}

// Issue 12: raw binary is not written to a terminal. `script` gives sipl a pseudo-terminal as
// standard output; the same command into a pipe writes the block.
TEST_F(DiagCliTest, RefusesToWriteTheBinaryBlockToATerminal) {
  std::string cmd;
  for (const auto& a : args({"--subcode", "1"})) cmd += " '" + a + "'";
  auto tty = test::sh("script -qec \"" + std::string(SIPL_BIN) + cmd + "\" /dev/null");
  EXPECT_EQ(tty.exit_code, 2) << tty.out;
  EXPECT_NE(tty.out.find("sipl: error: standard output is a terminal and the DIAG 0x320 block is binary: give --hex "
                         "or --json to read it, -o FILE to keep it, or redirect standard output"),
            std::string::npos)
      << tty.out;
  auto pipe = test::run_sipl(args({"--subcode", "1"}));
  EXPECT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_FALSE(pipe.out.empty());
}

TEST_F(DiagCliTest, UsageErrorsExitWith2) {
  EXPECT_EQ(test::run_sipl({"diag"}).exit_code, 2);
  EXPECT_EQ(test::run_sipl({"diag", "320"}).exit_code, 2);
  EXPECT_EQ(test::run_sipl({"diag", "320", "--subcode", "2", "--first", "65536"}).exit_code, 2);
  EXPECT_EQ(test::run_sipl({"diag", "320", "--subcode", "1", "--at", "yesterday"}).exit_code, 2);
}

TEST_F(DiagCliTest, HelpHasAnExample) {
  auto r = test::run_sipl({"diag", "320", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:\n  # Write the VCB holding the first two certificates to vcb.bin\n  sipl diag 320 "),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace sipl
