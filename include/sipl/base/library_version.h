// The version of a library sipl runs with, as users paste it into bug reports (`sipl --version`).
#pragma once

#include <string>

namespace sipl {

struct LibraryVersion {
  std::string name;        // e.g. "OpenSSL"
  std::string runtime;     // the version of the library loaded at run time
  std::string built_with;  // the version of the headers sipl was compiled against
};

}  // namespace sipl
