// The last place a token PIN comes from: the user, asked on the controlling terminal with
// echo off (never on stdin/stdout, which may carry data, and never logged).
#pragma once

#include <optional>
#include <string>

#include "sipl/crypto/pkcs11.h"

namespace sipl::cli {

// Returns the line typed after `prompt` on /dev/tty, echo off; nullopt when there is no
// terminal (scripts, CI) or the user typed nothing.
std::optional<std::string> ask_pin_on_terminal(const std::string& prompt);
// Returns what a verb that reads keys passes the library: KBUILD_SIGN_PIN (as sign-file
// reads it) and the terminal prompt.
crypto::TokenAccess token_access();

}  // namespace sipl::cli
