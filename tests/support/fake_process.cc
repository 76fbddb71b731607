// A process with any command line: the test binary started with SIPL_TEST_SLEEP_SECONDS set
// sleeps that long and exits before GoogleTest sees its arguments. `sipl audit --processes`
// tests start it as "qemu-system-s390x -machine ..." through a symlink of that name.
#include <unistd.h>

#include <cstdlib>

namespace {

const bool sleeper = [] {
  if (const char* s = std::getenv("SIPL_TEST_SLEEP_SECONDS")) {
    ::sleep(static_cast<unsigned>(std::atoi(s)));
    ::_exit(0);
  }
  return false;
}();

}  // namespace
