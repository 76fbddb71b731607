// Splits a libvirt .args file into words the way /bin/sh would (the subset libvirt writes:
// '...' quoting, "..." quoting, backslash escapes, line continuations).
#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {

Result<std::vector<std::string>> split_args_file(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (c == '\\') {
      if (i + 1 >= text.size()) break;
      char n = text[++i];
      if (n == '\n') {
        ++line;
        continue;  // continuation
      }
      cur += n;
      in_word = true;
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos)
        return fail(ErrorCode::kBadInput, fmt::format("line {}: unterminated ' quote", line));
      for (size_t k = i + 1; k < end; ++k)
        if (text[k] == '\n') ++line;
      cur.append(text.substr(i + 1, end - i - 1));
      in_word = true;
      i = end;
    } else if (c == '"') {
      size_t k = i + 1;
      for (; k < text.size() && text[k] != '"'; ++k) {
        if (text[k] == '\\' && k + 1 < text.size() &&
            (text[k + 1] == '"' || text[k + 1] == '\\' || text[k + 1] == '$' || text[k + 1] == '`'))
          ++k;
        if (text[k] == '\n') ++line;
        cur += text[k];
      }
      if (k >= text.size())
        return fail(ErrorCode::kBadInput, fmt::format("line {}: unterminated \" quote", line));
      in_word = true;
      i = k;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

Result<std::vector<std::string>> read_args_file(const std::string& path) {
  auto text = read_file_or_stdin(path, 16 * 1024 * 1024);
  if (!text) return tl::unexpected(text.error());
  auto words = split_args_file(to_string(*text));
  if (!words) {
    Error e = words.error();
    e.where = Location(path == "-" ? "standard input" : path);
    return tl::unexpected(std::move(e));
  }
  return words;
}

}  // namespace sipl::mgmt
