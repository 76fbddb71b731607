#include "support/openssl_cli.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "support/run.h"

namespace sipl::test {
namespace {

std::string must(const std::string& cmd) {
  auto r = sh(cmd);
  if (r.exit_code != 0) throw std::runtime_error(cmd + " failed: " + r.err);
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

std::string after(const std::string& s, char c) { return s.substr(s.find(c) + 1); }

std::string lower_hex(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string rfc3339(const std::string& openssl_date) {
  return must("date -u -d '" + openssl_date + "' +%Y-%m-%dT%H:%M:%SZ");
}

}  // namespace

std::string openssl_fingerprint_sha256(const std::string& p) {
  return lower_hex(after(must("openssl x509 -in '" + p + "' -noout -fingerprint -sha256"), '='));
}

std::string certtool_key_id_sha256(const std::string& p) {
  std::string out = must("certtool --key-id --hash sha256 --load-certificate '" + p + "'");
  return lower_hex(out.substr(out.find_last_of('\n') + 1));
}

std::string openssl_subject(const std::string& p) {
  return after(must("openssl x509 -in '" + p + "' -noout -subject -nameopt RFC2253"), '=');
}

std::string openssl_serial(const std::string& p) {
  return after(must("openssl x509 -in '" + p + "' -noout -serial"), '=');
}

size_t openssl_der_size(const std::string& p) { return openssl_der(p).size(); }

std::string openssl_der(const std::string& p) {
  auto r = sh("openssl x509 -in '" + p + "' -outform DER");
  if (r.exit_code != 0) throw std::runtime_error("openssl x509 -outform DER failed: " + r.err);
  return r.out;
}

std::string openssl_not_before(const std::string& p) {
  return rfc3339(after(must("openssl x509 -in '" + p + "' -noout -startdate"), '='));
}

std::string openssl_not_after(const std::string& p) {
  return rfc3339(after(must("openssl x509 -in '" + p + "' -noout -enddate"), '='));
}

std::string openssl_expiry_instant(const std::string& p) {
  std::string out = must("date -u -d \"@$(( $(date -u -d \"$(openssl x509 -noout -enddate -in '" + p +
                         "' | cut -d= -f2)\" +%s) + 1 ))\" +%Y-%m-%dT%H:%M:%SZ");
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace sipl::test
