// -machine as QEMU reads it: util/keyval.c keyval_parse with the implied key "type"
// (keyval_parse_one): an item without '=' is the machine type only when it comes first; keys
// are dot-separated fragments, the first a QAPI name (parse_qapi_name: a letter, then letters,
// digits, '-' and '_'), later ones a name or a list index; values run to the next single ','.
// Errors are reported with QEMU's location prefix "-machine OPTARG: ", as QEMU does for
// parse errors of a command-line option.
#include <cctype>

#include <fmt/format.h>

#include "sipl/mgmt/qemu_argv.h"

namespace sipl::mgmt {
namespace {

// parse_qapi_name(name, false): the length of the leading QAPI name, 0 if there is none.
size_t qapi_name_length(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return 0;
  size_t i = 1;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '_')) ++i;
  return i;
}

// key_to_index: the length of a leading decimal list index, 0 if there is none.
size_t index_length(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// Returns true when every fragment of `key` is valid (the first a name, the others a name or
// an index), as keyval_parse_one's fragment loop checks.
bool valid_key(std::string_view key) {
  bool first = true;
  while (true) {
    size_t len = first ? 0 : index_length(key);
    if (len == 0) len = qapi_name_length(key);
    if (len == 0 || (len < key.size() && key[len] != '.')) return false;
    if (len == key.size()) return true;
    key = key.substr(len + 1);
    first = false;
  }
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> parse_machine_option(std::string_view optarg) {
  auto refuse = [&](std::string msg) {
    return fail(ErrorCode::kUnsupported, fmt::format("-machine {}: {}", optarg, msg));
  };
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view s = optarg;
  bool first = true;
  while (!s.empty()) {
    const size_t len = s.find_first_of("=,");
    const size_t key_len = len == std::string_view::npos ? s.size() : len;
    std::string key;
    if (key_len > 0 && (len == std::string_view::npos || s[len] != '=') && first) {
      key = "type";  // desugar the implied key: the whole item is the value
    } else {
      key = std::string(s.substr(0, key_len));
      if (!valid_key(key)) return refuse(fmt::format("Invalid parameter '{}'", key));
      if (len == std::string_view::npos || s[len] != '=')
        return refuse(fmt::format("Expected '=' after parameter '{}'", key));
      s = s.substr(len + 1);
    }
    // The value: up to a ',' that is not doubled; ",," is a literal comma.
    std::string value;
    size_t i = 0;
    for (; i < s.size(); ++i) {
      if (s[i] == ',') {
        if (i + 1 < s.size() && s[i + 1] == ',') {
          value += ',';
          ++i;
          continue;
        }
        break;
      }
      value += s[i];
    }
    s = i < s.size() ? s.substr(i + 1) : std::string_view();
    out.emplace_back(std::move(key), std::move(value));
    first = false;
  }
  return out;
}

}  // namespace sipl::mgmt
