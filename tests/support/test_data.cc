#include "support/test_data.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "support/run.h"

namespace sipl::test {
namespace {
std::mutex g_mu;
std::string g_unpacked;  // the directory the disks were unpacked into, once per process

TempDir& scratch() {
  static auto* dir = new TempDir();  // removed at exit by the atexit hook below
  static const bool hooked = [] {
    std::atexit([] { delete dir; });
    return true;
  }();
  (void)hooked;
  return *dir;
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// ctest runs every test in its own process, so the unpacked disks are kept across processes:
// in $TMPDIR/sipl-test-corpus-<uid>/<archive size>-<mtime>, unpacked into a unique directory,
// checked with sha256sum and renamed into place (atomic, safe under ctest -j).
std::string unpack_disks(std::string* why) {
  const std::string archive = data_dir() + "/corpus/disks/disks.tar.xz";
  const std::string sums = data_dir() + "/corpus/disks/disks.sha256";
  std::error_code ec;
  const auto size = std::filesystem::file_size(archive, ec);
  if (ec) {
    *why = archive + ": " + ec.message();
    return "";
  }
  const auto mtime = std::filesystem::last_write_time(archive, ec).time_since_epoch().count();
  const auto root = std::filesystem::temp_directory_path() / ("sipl-test-corpus-" + std::to_string(getuid()));
  std::filesystem::create_directories(root, ec);
  const std::string dir = (root / (std::to_string(size) + "-" + std::to_string(mtime))).string();
  if (std::filesystem::is_directory(dir, ec)) return dir;
  auto r = sh("set -e; t=$(mktemp -d " + quoted(dir + ".XXXXXX") + "); trap 'rm -rf \"$t\"' EXIT; xz -dc " +
              quoted(archive) + " | tar -x -C \"$t\"; cp " + quoted(sums) + " \"$t/\"; (cd \"$t\" && sha256sum -c --quiet " +
              "disks.sha256); mv -T \"$t\" " + quoted(dir) + " 2>/dev/null || true");
  if (r.exit_code != 0 || !std::filesystem::is_directory(dir, ec)) {
    *why = "unpacking " + archive + " failed: " + r.err;
    return "";
  }
  return dir;
}
}  // namespace

std::string data_dir() {
  if (const char* env = std::getenv("SIPL_TEST_DATA"); env && *env) return env;
  return SIPL_TEST_DATA_DIR;
}

std::string data_path(const std::string& relative) {
  const std::string p = data_dir() + "/" + relative;
  if (access(p.c_str(), R_OK) != 0) ADD_FAILURE() << "test data file missing or unreadable: " << p;
  return p;
}

std::string corpus_cert(const std::string& name) { return data_path("corpus/certs/" + name); }

const std::string& corpus_scratch_dir() { return scratch().path(); }

std::string corpus_layout(const std::string& name) { return data_path("corpus/disks/" + name + ".layout.txt"); }

std::string corpus_disk(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_unpacked.empty()) {
    std::string why;
    g_unpacked = unpack_disks(&why);
    if (g_unpacked.empty()) {
      ADD_FAILURE() << "corpus disk " << name << " is not available: " << why;
      return "";
    }
  }
  const std::string p = g_unpacked + "/" + name + ".img";
  if (access(p.c_str(), R_OK) != 0) {
    ADD_FAILURE() << "corpus disk missing from " << data_dir() << "/corpus/disks/disks.tar.xz: " << name;
    return "";
  }
  return p;
}

}  // namespace sipl::test
