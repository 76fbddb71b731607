#include "sipl/base/result.h"

#include <fmt/format.h>

namespace sipl {

std::string Location::to_string() const {
  std::string s = path;
  auto add = [&s](std::string part) {
    if (!s.empty()) s += ": ";
    s += part;
  };
  if (block) add(fmt::format("block {}", *block));
  if (offset) add(fmt::format("byte {}", *offset));
  if (line) add(fmt::format("line {}", *line));
  return s;
}

std::string Error::to_string() const {
  std::string loc = where.to_string();
  if (loc.empty()) return message;
  return loc + ": " + message;
}

const char* default_error_id(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage: return ids::kErrorUsage;
    case ErrorCode::kIo: return ids::kErrorIo;
    case ErrorCode::kBadInput: return ids::kErrorBadInput;
    case ErrorCode::kLimit: return ids::kErrorLimit;
    case ErrorCode::kUnsupported: return ids::kErrorUnsupported;
    case ErrorCode::kInternal: return ids::kErrorInternal;
  }
  return ids::kErrorInternal;
}

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage: return 2;
    case ErrorCode::kUnsupported: return 4;
    case ErrorCode::kIo:
    case ErrorCode::kBadInput:
    case ErrorCode::kLimit:
    case ErrorCode::kInternal: return 3;
  }
  return 3;
}

}  // namespace sipl
