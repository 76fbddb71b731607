#include "sipl/base/time.h"

#include <charconv>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace sipl {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
// days_from_civil algorithm, public domain arithmetic).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  // Reads exactly n decimal digits.
  bool digits(size_t n, int64_t& out) {
    if (n > s_.size() - pos_) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = s_[pos_ + i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos_ += n;
    return true;
  }
  bool lit(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
    return false;
  }
  bool peek_any(std::string_view set) const {
    return pos_ < s_.size() && set.find(s_[pos_]) != std::string_view::npos;
  }
  char next() { return s_[pos_++]; }
  bool done() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<UnixTime> parse_time(std::string_view text) {
  auto bad = [&]() {
    return fail(ErrorCode::kUsage,
                fmt::format("invalid time '{}': expected a date (2026-11-30), RFC 3339 (2026-11-30T12:00:00Z) or "
                            "@UNIXSECONDS",
                            text));
  };
  if (!text.empty() && text[0] == '@') {
    int64_t v = 0;
    auto body = text.substr(1);
    auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
    if (body.empty() || ec != std::errc() || p != body.data() + body.size()) return bad();
    return v;
  }
  Cursor c(text);
  int64_t y, mo, d, h, mi, s;
  if (!c.digits(4, y) || !c.lit('-') || !c.digits(2, mo) || !c.lit('-') || !c.digits(2, d)) return bad();
  int64_t offset = 0;
  h = mi = s = 0;
  const bool date_only = c.done();  // "2050-01-01": midnight UTC, as `date -u -d 2050-01-01` reads it
  if (!date_only) {
    if (!(c.lit('T') || c.lit('t') || c.lit(' '))) return bad();
    if (!c.digits(2, h) || !c.lit(':') || !c.digits(2, mi) || !c.lit(':') || !c.digits(2, s)) return bad();
  }
  if (date_only) {
  } else if (c.lit('.')) {
    int64_t ignored;
    if (!c.digits(1, ignored)) return bad();
    while (c.peek_any("0123456789")) c.next();
  }
  if (date_only || c.lit('Z') || c.lit('z')) {
  } else if (c.peek_any("+-")) {
    int sign = c.next() == '-' ? -1 : 1;
    int64_t oh, om;
    if (!c.digits(2, oh) || !c.lit(':') || !c.digits(2, om) || oh > 23 || om > 59) return bad();
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return bad();
  }
  if (!c.done()) return bad();
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return bad();
  int mdays = kMonthDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0);
  if (d > mdays || h > 23 || mi > 59 || s > 60) return bad();
  if (s == 60) s = 59;  // leap second: X.509 and OpenSSL cannot express it either
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + s - offset;
}

UnixTime now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_time(UnixTime t) {
  // Inverse of days_from_civil (civil_from_days).
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, secs / 3600, secs / 60 % 60,
                     secs % 60);
}

}  // namespace sipl
