// image::sclab_request and image::sign_file, the library calls behind `sipl sign`: the SCLAB
// rules of the BIOS (qemu-secure-ipl.md §5.4, §6.5) and the outputs sign-file -d / -p write.
#include <gtest/gtest.h>

#include "sipl/image/sign_file.h"
#include "support/certs.h"
#include "support/run.h"

namespace sipl::image {
namespace {

TEST(SclabRequest, GlobalGetsOpswAndOlaWithThePswsAddress) {
  auto r = sclab_request({SclabKind::kGlobal, 0x000800008000a000, std::nullopt, true, false});
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->flags, kSclabFlagOpsw | kSclabFlagOla | kSclabFlagNuc);
  EXPECT_EQ((*r)->load_psw, 0x000800008000a000u);
  EXPECT_EQ((*r)->load_addr, 0xa000u);  // the PSW's 31-bit address
  r = sclab_request({SclabKind::kPlain, std::nullopt, 0x10000, false, false});
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->flags, kSclabFlagOla);
  EXPECT_EQ((*r)->load_addr, 0x10000u);
  r = sclab_request({});
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(SclabRequest, OptionsThatDoNotBelongAreUsageErrors) {
  EXPECT_EQ(sclab_request({SclabKind::kGlobal}).error().message, "--sclab global needs --psw (the load PSW of the IPL)");
  EXPECT_EQ(sclab_request({SclabKind::kPlain, 1}).error().code, ErrorCode::kUsage);
  EXPECT_EQ(sclab_request({SclabKind::kNone, std::nullopt, std::nullopt, true}).error().code, ErrorCode::kUsage);
}

TEST(SignFile, DetachedDryRunAndInPlace) {
  test::TempDir dir;
  test::make_cert({.cn = "s"}, dir / "s.pem", dir / "s.key");
  test::write_text(dir / "c", std::string(4096, 'c'));
  SignFileRequest r;
  r.file = dir / "c";
  r.key = dir / "s.key";
  r.cert = dir / "s.pem";
  r.detached = dir / "c.p7s";
  r.dry_run = true;
  auto s = sign_file(r);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_FALSE(s->output);  // --detached without -o writes no component
  EXPECT_EQ(s->detached, dir / "c.p7s");
  EXPECT_EQ(test::sh("ls -A '" + dir.path() + "'").out, "c\ns.key\ns.pem\n");  // nothing written
  r.dry_run = false;
  r.detached.clear();
  s = sign_file(r);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->output, dir / "c");
  // sign-file's layout: payload, DER, 12-byte descriptor, 28-byte marker.
  EXPECT_EQ(*s->output_size, 4096 + s->signature_size + 40);
  EXPECT_EQ(test::read_text(dir / "c").size(), *s->output_size);
  // Signing it again is refused without resign (a second signature would cover the first).
  s = sign_file(r);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kBadInput);
}

}  // namespace
}  // namespace sipl::image
