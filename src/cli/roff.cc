#include "cli/roff.h"

#include <cstdint>

#include <fmt/format.h>

namespace sipl::cli::roff {
namespace {

// Decodes one UTF-8 sequence at `i` (advancing it); a malformed byte is returned as U+FFFD.
uint32_t next_code_point(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  uint32_t cp = extra == 3 ? b & 0x07u : extra == 2 ? b & 0x0Fu : b & 0x1Fu;
  if (b < 0x80) return b;
  if (extra == 0) return 0xFFFD; // a stray continuation byte
  for (; extra > 0; --extra) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
  }
  return cp;
}

} // namespace

std::string escape(std::string_view text, bool line_start) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (static_cast<unsigned char>(c) >= 0x80) {
      out += fmt::format("\\[u{:04X}]", next_code_point(text, i));
      continue;
    }
    ++i;
    switch (c) {
    case '\\':
      out += "\\e";
      break;
    case '-':
      out += "\\-";
      break;
    case '"':
      out += "\\(dq";
      break;
    case '\'':
      out += "\\(aq";
      break;
    case '`':
      out += "\\(ga";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string prose(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('`', i);
    const size_t close = open == std::string_view::npos ? open : text.find('`', open + 1);
    if (close == std::string_view::npos) {
      out += escape(text.substr(i), i == 0);
      break;
    }
    out += escape(text.substr(i, open - i), i == 0);
    // \% keeps the word from being hyphenated only where the word starts (elsewhere it
    // would mark a hyphenation point), so it goes before "(--json" rather than after "(".
    const size_t word = out.find_last_of(" \n");
    const size_t start = word == std::string::npos ? 0 : word + 1;
    if (out.compare(start, 2, "\\%") != 0) out.insert(start, "\\%");
    out += "\\fB" + escape(text.substr(open + 1, close - open - 1), false) + "\\fR";
    i = close + 1;
  }
  return out;
}

std::string bold(std::string_view text) { return "\\%\\fB" + escape(text, false) + "\\fR"; }
std::string italic(std::string_view text) { return "\\%\\fI" + escape(text, false) + "\\fR"; }

} // namespace sipl::cli::roff
