// RFC 7512 parsing: split, percent-decode, check names; nothing here talks to a token.
#include "sipl/crypto/pkcs11_uri.h"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>

namespace sipl::crypto {
namespace {

constexpr std::string_view kScheme = "pkcs11:";

// RFC 7512 §2.3 path attributes.
constexpr std::array<std::string_view, 13> kPathNames = {
    "token",           "manufacturer", "serial", "model", "library-manufacturer", "library-description",
    "library-version", "object",       "type",   "id",    "slot-description",     "slot-manufacturer",
    "slot-id"};
// The attributes that select a token (and its slot), in the order messages list them.
constexpr std::array<std::string_view, 7> kTokenNames = {"token",   "serial",           "manufacturer",     "model",
                                                         "slot-id", "slot-description", "slot-manufacturer"};

bool contains(std::span<const std::string_view> names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  if (s.empty()) return parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// The URI without any pin-value attribute (wherever written), for every message.
std::string strip_pin(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::string(text);
  const std::string scheme(text.substr(0, colon + 1));
  text.remove_prefix(colon + 1);
  const size_t q = text.find('?');
  std::string out;
  for (std::string_view piece : split(text.substr(0, q), ';'))
    if (!piece.starts_with("pin-value=")) {
      // Appended piece by piece, not `sep + std::string(piece)`: GCC 12 at -O3 reports a false
      // -Wrestrict inside char_traits for that form (GCC bug 105329).
      if (!out.empty()) out += ';';
      out.append(piece);
    }
  out = scheme + out;
  if (q == std::string_view::npos) return out;
  std::string query;
  for (std::string_view piece : split(text.substr(q + 1), '&'))
    if (!piece.starts_with("pin-value=")) {
      if (!query.empty()) query += '&';
      query.append(piece);
    }
  return query.empty() ? out : out + "?" + query;
}

}  // namespace

bool is_pkcs11_uri(std::string_view text) {
  if (text.size() < kScheme.size()) return false;
  return std::equal(kScheme.begin(), kScheme.end(), text.begin(),
                    [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b); });
}

std::string without_pin(std::string_view path_or_uri) {
  return is_pkcs11_uri(path_or_uri) ? strip_pin(path_or_uri) : std::string(path_or_uri);
}

Result<Pkcs11Uri> Pkcs11Uri::parse(std::string_view text) {
  const std::string safe = strip_pin(text);
  auto bad = [&safe](std::string why) {
    return fail(ErrorCode::kUsage, "not a usable PKCS#11 URI (RFC 7512): " + why, Location{safe});
  };
  if (!is_pkcs11_uri(text)) return bad("it does not start with pkcs11:");
  std::string_view body = text.substr(kScheme.size());
  const size_t q = body.find('?');
  const std::string_view path = body.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : body.substr(q + 1);

  Pkcs11Uri uri;
  uri.redacted_ = safe;
  std::vector<std::string> seen;
  auto take = [&](std::string_view piece, bool in_query) -> Status {
    const size_t eq = piece.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return bad(fmt::format("'{}' is not name=value", piece.starts_with("pin-value") ? "pin-value" : piece));
    const std::string name(piece.substr(0, eq));
    const std::string_view raw = piece.substr(eq + 1);
    auto value = percent_decode(raw);
    if (!value) return bad(fmt::format("the value of {} has a bad percent escape", name));
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return bad(fmt::format("{} is given twice", name));
    seen.push_back(name);
    if (name == "module-name") return bad("module-name is not supported; name the module's file with module-path=");
    if (name == "pin-value")
      uri.pin_value_ = *value;
    else if (name == "pin-source")
      uri.pin_source_ = *value;
    else if (name == "module-path")
      uri.module_path_ = *value;
    else if (!in_query && contains(kPathNames, name)) {
      if (name == "type" && *value != "private" && *value != "public" && *value != "cert" && *value != "secret-key" &&
          *value != "data")
        return bad(fmt::format("type={} is none of private, public, cert, secret-key, data", *value));
      uri.path_.emplace_back(name, *value);
      uri.path_raw_.emplace_back(name, std::string(raw));
    } else if (!name.starts_with("x-")) {
      return bad(fmt::format("unknown {} attribute '{}'", in_query ? "query" : "path", name));
    }
    return {};
  };
  for (std::string_view piece : split(path, ';'))
    if (auto s = take(piece, false); !s) return tl::unexpected(s.error());
  for (std::string_view piece : split(query, '&'))
    if (auto s = take(piece, true); !s) return tl::unexpected(s.error());
  return uri;
}

std::optional<std::string> Pkcs11Uri::path_attribute(std::string_view name) const {
  for (const auto& [n, v] : path_)
    if (n == name) return v;
  return std::nullopt;
}

std::string Pkcs11Uri::object_uri(std::optional<std::string_view> type) const {
  std::string s(kScheme);
  bool first = true;
  auto add = [&](std::string_view n, std::string_view v) {
    if (!first) s += ';';
    first = false;
    s += fmt::format("{}={}", n, v);
  };
  for (const auto& [n, v] : path_raw_)
    if (!(type && n == "type")) add(n, v);
  if (type) add("type", *type);
  return s;
}

std::string Pkcs11Uri::describe_object() const {
  std::string s;
  for (const auto& [n, v] : path_) s += fmt::format("{}{}={}", s.empty() ? "" : ";", n, v);
  return s.empty() ? "any object" : s;
}

std::string Pkcs11Uri::describe_token() const {
  std::string s;
  for (std::string_view want : kTokenNames)
    if (auto v = path_attribute(want)) s += fmt::format("{}{}={}", s.empty() ? "" : ";", want, *v);
  return s.empty() ? "any token" : s;
}

}  // namespace sipl::crypto
