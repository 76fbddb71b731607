#include "sipl/base/time.h"

#include <gtest/gtest.h>

#include "support/run.h"

namespace sipl {
namespace {

// Independent source: GNU date's own parser.
int64_t gnu_date(const std::string& text) {
  auto r = test::sh("date -u -d '" + text + "' +%s");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return std::stoll(r.out);
}

TEST(ParseTime, Rfc3339AgreesWithGnuDate) {
  for (const char* t : {"2026-11-30T12:00:00Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z",
                        "2038-01-19T03:14:08Z", "1950-06-15T08:30:00Z", "2099-12-31T23:59:59Z"}) {
    auto r = parse_time(t);
    ASSERT_TRUE(r) << t;
    EXPECT_EQ(*r, gnu_date(t)) << t;
  }
}

TEST(ParseTime, OffsetsAndFractions) {
  EXPECT_EQ(*parse_time("2026-11-30T13:00:00+01:00"), *parse_time("2026-11-30T12:00:00Z"));
  EXPECT_EQ(*parse_time("2026-11-30T07:30:00-04:30"), *parse_time("2026-11-30T12:00:00Z"));
  EXPECT_EQ(*parse_time("2026-11-30t12:00:00.999z"), *parse_time("2026-11-30T12:00:00Z"));
  EXPECT_EQ(*parse_time("2026-11-30 12:00:00Z"), *parse_time("2026-11-30T12:00:00Z"));
}

// Issue 12: `--at 2050-01-01` is a date; GNU date reads it as midnight UTC too.
TEST(ParseTime, ADateAloneIsMidnightUtc) {
  for (const char* t : {"2050-01-01", "2026-11-30", "1969-12-31", "2000-02-29"}) {
    auto r = parse_time(t);
    ASSERT_TRUE(r) << t;
    EXPECT_EQ(*r, gnu_date(t)) << t;
  }
  EXPECT_FALSE(parse_time("2026-02-29"));
  EXPECT_FALSE(parse_time("2026-11-30T"));
}

TEST(ParseTime, UnixSeconds) {
  EXPECT_EQ(*parse_time("@0"), 0);
  EXPECT_EQ(*parse_time("@1796040000"), 1796040000);
  EXPECT_EQ(*parse_time("@-86400"), -86400);
}

TEST(ParseTime, RejectsWithMessage) {
  for (const char* t : {"", "@", "@12x", "2026-11-3", "2026-13-01", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                        "2026-11-30T24:00:00Z", "2026-11-30T12:00:00", "2026-11-30T12:00:00Zjunk",
                        "yesterday"}) {
    auto r = parse_time(t);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().code, ErrorCode::kUsage);
    EXPECT_EQ(r.error().message,
              std::string("invalid time '") + t +
                  "': expected a date (2026-11-30), RFC 3339 (2026-11-30T12:00:00Z) or @UNIXSECONDS");
  }
}

TEST(FormatTime, RoundTrips) {
  for (int64_t t : {0LL, 1796040000LL, -1LL, 951868799LL, 4102444799LL, -631152000LL}) {
    EXPECT_EQ(*parse_time(format_time(t)), t) << t;
  }
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace sipl
