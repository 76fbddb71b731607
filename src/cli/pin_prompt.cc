#include "cli/pin_prompt.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

namespace sipl::cli {

std::optional<std::string> ask_pin_on_terminal(const std::string& prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  termios saved{};
  const bool is_tty = ::tcgetattr(fd, &saved) == 0;
  if (!is_tty) {
    ::close(fd);
    return std::nullopt;
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  (void)!::write(fd, prompt.data(), prompt.size());
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  std::string pin;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') pin += c;
  ::tcsetattr(fd, TCSAFLUSH, &saved);
  ::close(fd);
  if (pin.empty()) return std::nullopt;
  return pin;
}

crypto::TokenAccess token_access() {
  crypto::TokenAccess a;
  if (const char* p = std::getenv("KBUILD_SIGN_PIN")) a.pin = p;
  a.ask_pin = ask_pin_on_terminal;
  return a;
}

}  // namespace sipl::cli
