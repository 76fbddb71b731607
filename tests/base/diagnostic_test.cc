// The one diagnostic model (sipl/base/diagnostic.h): an Error and a Finding are both a
// Diagnostic with an id, a severity, a location, a message and parameters.
#include <gtest/gtest.h>

#include <type_traits>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"

namespace sipl {
namespace {

TEST(Diagnostic, AnErrorHasTheIdOfItsCodeUnlessItNamesOne) {
  Error e{ErrorCode::kBadInput, "bad", Location::at_block("disk.img", 3)};
  EXPECT_EQ(e.id, "error.bad_input");
  EXPECT_EQ(e.severity, Severity::kError);
  EXPECT_EQ(e.to_string(), "disk.img: block 3: bad");
  EXPECT_EQ(Error(ErrorCode::kUnsupported, "x").id, ids::kErrorUnsupported);
  EXPECT_EQ(Error().id, ids::kErrorInternal);
  Error named = Error{ErrorCode::kIo, "gone"}.with_id(ids::kAuditDiskUnreadable);
  EXPECT_EQ(named.id, "audit.disk_unreadable");
  EXPECT_EQ(named.code, ErrorCode::kIo);
  auto r = [] () -> Result<int> { return fail(ErrorCode::kLimit, "too big"); }();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().id, "error.limit");
}

TEST(Diagnostic, AFindingCarriesALocation) {
  Finding f{Severity::kWarning, ids::kStoreSkipNotPem, "skipping", {{"path", "/d/x"}}, Location("/d/x")};
  const Diagnostic& d = f;
  EXPECT_EQ(d.where.path, "/d/x");
  ASSERT_NE(d.param("path"), nullptr);
  EXPECT_EQ(*d.param("path"), "/d/x");
  EXPECT_EQ(d.param("line"), nullptr);
  EXPECT_TRUE(make_finding(Severity::kInfo, ids::kVerifyVerified, "ok").where.empty());
}

TEST(Diagnostic, AnArgvLocationIsNotInTheText) {
  Location l = Location::at_argv(3);
  EXPECT_FALSE(l.empty());
  ASSERT_TRUE(l.argv_index);
  EXPECT_EQ(*l.argv_index, 3u);
  EXPECT_EQ(l.to_string(), "");  // the message names the argument itself, 1-based
  EXPECT_EQ(Location::at_line("d.xml", 7).to_string(), "d.xml: line 7");
}

// Result and Status are [[nodiscard]] classes that still are tl::expected.
TEST(Diagnostic, ResultIsAnExpected) {
  static_assert(std::is_base_of_v<tl::expected<int, Error>, Result<int>>);
  static_assert(std::is_base_of_v<tl::expected<void, Error>, Status>);
  auto ok = []() -> Status { return {}; }();
  EXPECT_TRUE(ok);
  auto err = []() -> Status {
    Result<int> r = fail(ErrorCode::kIo, "x");
    if (!r) return tl::unexpected(r.error());
    return {};
  }();
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace sipl
