#include "crypto/pem.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "sipl/base/reader.h"

namespace sipl::crypto {
namespace {

std::string_view as_view(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Decodes base64, skipping whitespace; false on any other character or bad padding.
bool decode_base64(std::string_view in, Bytes& out) {
  static const auto table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(a[i])] = static_cast<int8_t>(i);
    return t;
  }();
  uint32_t acc = 0;
  int bits = 0;
  int pad = 0;
  size_t symbols = 0;
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      ++symbols;
      continue;
    }
    if (pad > 0) return false;  // data after padding
    int8_t v = table[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::byte>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2 && symbols % 4 == 0 && !out.empty();
}

}  // namespace

Result<Bytes> pem_certificate_body(ByteSpan pem) {
  std::string_view text = as_view(pem);
  // GnuTLS looks for the first of the two accepted headers.
  size_t best = std::string_view::npos;
  std::string_view end_marker;
  for (auto [begin, end] : {std::pair{std::string_view("-----BEGIN CERTIFICATE-----"),
                                      std::string_view("-----END CERTIFICATE-----")},
                            std::pair{std::string_view("-----BEGIN X509 CERTIFICATE-----"),
                                      std::string_view("-----END X509 CERTIFICATE-----")}}) {
    size_t at = text.find(begin);
    if (at != std::string_view::npos && at < best) {
      best = at + begin.size();
      end_marker = end;
    }
  }
  if (best == std::string_view::npos) return fail(ErrorCode::kBadInput, kGnutlsBase64HeaderError);
  size_t stop = text.find(end_marker, best);
  if (stop == std::string_view::npos) return fail(ErrorCode::kBadInput, kGnutlsBase64HeaderError);
  Bytes der;
  der.reserve((stop - best) * 3 / 4);
  if (!decode_base64(text.substr(best, stop - best), der))
    return fail(ErrorCode::kBadInput, kGnutlsBase64HeaderError);
  return der;
}

Status check_der_envelope(ByteSpan der) {
  // The messages are GnuTLS's, without a location, so a failed read maps to them.
  Reader r(der, "certificate");
  auto tag = r.u8("DER tag");
  if (!tag) return fail(ErrorCode::kBadInput, kGnutlsAsn1DerError);
  if (*tag != 0x30) return fail(ErrorCode::kBadInput, kGnutlsAsn1TagError);
  auto first = r.u8("DER length");
  if (!first || *first == 0x80) return fail(ErrorCode::kBadInput, kGnutlsAsn1DerError);
  uint64_t len = *first;
  if (*first & 0x80) {
    size_t n = *first & 0x7F;
    if (n > 4) return fail(ErrorCode::kBadInput, kGnutlsAsn1DerError);
    len = 0;
    for (size_t i = 0; i < n; ++i) {
      auto b = r.u8("DER length");
      if (!b) return fail(ErrorCode::kBadInput, kGnutlsAsn1DerError);
      len = (len << 8) | *b;
    }
  }
  if (len != r.remaining()) return fail(ErrorCode::kBadInput, kGnutlsAsn1DerError);
  return {};
}

bool looks_like_pem(ByteSpan data) {
  size_t i = 0;
  while (i < data.size() && std::isspace(std::to_integer<unsigned char>(data[i]))) ++i;
  constexpr std::string_view kBegin = "-----BEGIN ";
  return data.size() - i >= kBegin.size() && to_string(data.subspan(i, kBegin.size())) == kBegin;
}

}  // namespace sipl::crypto
