// `sipl mkdisk --secure 1` and `sipl boot` must agree (issue 12 item 7): whatever a Secure-mode
// boot would stop on, mkdisk says first, with the fix; and re-running mkdisk on its own output
// after an update (zipl is re-run after every kernel update) replaces the layout without
// --force (item 11). Keys come from openssl, the files are signed with `sipl sign`; the
// component addresses are read back by the test-side walker (support/zipl_walk.h), not by sipl.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "support/run.h"
#include "support/zipl_walk.h"

namespace sipl {
namespace {

class MkdiskBootAgree : public ::testing::Test {
 protected:
  void SetUp() override {
    sh("openssl req -new -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 3650 "
       "-subj /CN=sipl-agree-test 2>/dev/null && head -c 16384 /dev/urandom > stage3.bin && "
       "head -c 65536 /dev/urandom > vmlinuz && head -c 8192 /dev/urandom > initrd.img");
    ASSERT_EQ(sign({"--sclab", "global", "--psw", "0x000800008000a000", "--load-addr", "0xa000"}, "stage3.bin")
                  .exit_code,
              0);
    ASSERT_EQ(sign({"--sclab", "plain"}, "vmlinuz").exit_code, 0);
  }
  void sh(const std::string& cmd) {
    auto r = test::sh("cd '" + dir.path() + "' && " + cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  }
  test::RunResult sign(std::vector<std::string> extra, const std::string& file) {
    std::vector<std::string> a{"sign", "--key", dir / "key.pem", "--cert", dir / "cert.pem", "--resign"};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(dir / file);
    return test::run_sipl(a);
  }
  test::RunResult mkdisk() {
    return test::run_sipl({"mkdisk", "-o", dir / "disk.img", "--stage3", dir / "stage3.bin", "--kernel",
                           dir / "vmlinuz", "--initrd", dir / "initrd.img", "--secure", "1"});
  }
  test::RunResult boot() {
    // At the host's clock (the default): the certificate was made just now.
    return test::run_sipl({"boot", "--json", "--disk", dir / "disk.img", "--boot-certs",
                           dir / "cert.pem", "--secure-boot", "on"});
  }
  test::TempDir dir;
};

TEST_F(MkdiskBootAgree, ASignedInitrdWithoutSclabIsNamedByMkdiskAndByTheHalt) {
  ASSERT_EQ(sign({}, "initrd.img").exit_code, 0);  // signed, but no SCLAB
  auto mk = mkdisk();
  ASSERT_EQ(mk.exit_code, 0) << mk.err;
  EXPECT_EQ(mk.err, "sipl: warning: " + (dir / "initrd.img") +
                        " is signed but has no SCLAB (Magic does not match. SCLAB does not exist): QEMU's "
                        "secure-boot=on will stop at it, audit mode only warns; re-sign it with one: sipl sign "
                        "--resign --sclab plain ...\n");
  // heap, stack, SIG, stage 3, parameters, SIG, kernel, SIG, initrd, EXEC.
  auto walk = test::walk_zipl_disk(test::slurp(dir / "disk.img"), 512);
  ASSERT_EQ(walk.error, "");
  const auto& c = walk.programs.at(0).components;
  ASSERT_EQ(c.size(), 10u);
  ASSERT_EQ(c[7].type, 3);
  ASSERT_EQ(c[8].type, 2);

  auto r = boot();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["halt_reason"], "Magic does not match. SCLAB does not exist");
  char addr[19];
  std::snprintf(addr, sizeof addr, "0x%016llx", static_cast<unsigned long long>(c[8].compdat));
  EXPECT_EQ(j["halted_at"], nlohmann::json({{"index", 8}, {"role", "initrd"}, {"address", addr}}));
  auto text = test::run_sipl({"boot", "--disk", dir / "disk.img", "--boot-certs", dir / "cert.pem",
                              "--secure-boot", "on"});
  EXPECT_NE(text.out.find("Verdict: halts (Magic does not match. SCLAB does not exist) at component 8 (initrd, " +
                          std::string(addr) + ")\n"),
            std::string::npos)
      << text.out;

  // The fix mkdisk named, then mkdisk again on its own output: no --force needed, and the
  // disk boots.
  ASSERT_EQ(sign({"--sclab", "plain"}, "initrd.img").exit_code, 0);
  mk = mkdisk();
  ASSERT_EQ(mk.exit_code, 0) << mk.err;
  EXPECT_EQ(mk.err, "");
  r = boot();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["verdict"], "boots");
}

TEST_F(MkdiskBootAgree, ReRunningMkdiskOnItsOwnOutputUpdatesIt) {
  ASSERT_EQ(sign({"--sclab", "plain"}, "initrd.img").exit_code, 0);
  ASSERT_EQ(mkdisk().exit_code, 0);
  const std::string first = test::slurp(dir / "disk.img");
  // The same inputs again: the same bytes, without --force.
  auto again = mkdisk();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(test::slurp(dir / "disk.img"), first);
  // A kernel update (a bigger kernel), then back to a smaller one: each run replaces the
  // layout, and nothing of a longer earlier layout stays behind to be called data next time.
  sh("head -c 131072 /dev/urandom > vmlinuz");
  ASSERT_EQ(sign({"--sclab", "plain"}, "vmlinuz").exit_code, 0);
  auto bigger = mkdisk();
  ASSERT_EQ(bigger.exit_code, 0) << bigger.err;
  sh("head -c 32768 /dev/urandom > vmlinuz");
  ASSERT_EQ(sign({"--sclab", "plain"}, "vmlinuz").exit_code, 0);
  auto smaller = mkdisk();
  ASSERT_EQ(smaller.exit_code, 0) << smaller.err;
  auto walk = test::walk_zipl_disk(test::slurp(dir / "disk.img"), 512);
  ASSERT_EQ(walk.error, "");
  EXPECT_EQ(walk.programs.at(0).components.at(6).loaded.substr(0, 32768), test::slurp(dir / "vmlinuz").substr(0, 32768));
  EXPECT_EQ(boot().exit_code, 0);
  // Data just past the layout is not the layout's: a bigger layout that needs that block is
  // still refused without --force (exit 2).
  uint64_t last = walk.program_table_block;
  for (const auto& c : walk.programs.at(0).components) {
    for (const auto& e : c.extents) last = std::max(last, e.block + e.blockct);
    for (uint64_t t : c.tables) last = std::max(last, t);
  }
  for (uint64_t t : walk.program_entries) last = std::max(last, t);
  sh("printf 'data' | dd of=disk.img bs=512 seek=" + std::to_string(last + 1) + " conv=notrunc status=none");
  sh("head -c 131072 /dev/urandom > vmlinuz");
  ASSERT_EQ(sign({"--sclab", "plain"}, "vmlinuz").exit_code, 0);
  auto foreign = mkdisk();
  EXPECT_EQ(foreign.exit_code, 2) << foreign.err;
  EXPECT_NE(foreign.err.find("holds data"), std::string::npos) << foreign.err;
}

}  // namespace
}  // namespace sipl
