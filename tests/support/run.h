// Runs the sipl binary (or any command) for CLI tests and captures stdout, stderr and status.
#pragma once

#include <string>
#include <vector>

namespace sipl::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] with the arguments (no shell), stdin from /dev/null; kills it after
// `timeout_seconds` (exit code 137).
RunResult run(const std::vector<std::string>& argv, int timeout_seconds = 120);
// Runs argv[0] like run() (at most 120 s), with `input` on its standard input.
RunResult run_with_stdin(const std::vector<std::string>& argv, const std::string& input);
// Runs the sipl binary under test with `args`.
RunResult run_sipl(const std::vector<std::string>& args);
// Runs the sipl binary under test with `args` and `input` on its standard input.
RunResult run_sipl_with_stdin(const std::vector<std::string>& args, const std::string& input);
// Runs a shell command line through /bin/sh -c (for real tools like openssl, certtool).
RunResult sh(const std::string& command);

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Returns path()/name.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `content` to `path` (creating or truncating it).
void write_text(const std::string& path, const std::string& content);
// Returns the whole content of `path`.
std::string read_text(const std::string& path);

}  // namespace sipl::test
