#include "support/corpus_disks.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include <gtest/gtest.h>

#include "support/run.h"

namespace sipl::test {
namespace {
std::mutex g_mu;
std::map<std::string, std::string> g_done;

TempDir& scratch() {
  static auto* dir = new TempDir();  // removed at exit by the atexit hook below
  static const bool hooked = [] {
    std::atexit([] { delete dir; });
    return true;
  }();
  (void)hooked;
  return *dir;
}
}  // namespace

const std::string& corpus_scratch_dir() { return scratch().path(); }

std::string corpus_layout(const std::string& name) {
  return std::string(SIPL_SHARED_DIR) + "/corpus/disks/" + name + ".layout.txt";
}

// ctest runs every test in its own process, so the decompressed disk is also kept across
// processes: in $TMPDIR/sipl-test-corpus-<uid>, named by the .xz file's size and mtime, written
// to a unique name and renamed into place (atomic, safe under ctest -j).
std::string cached_name(const std::string& xz, const std::string& name) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(xz, ec);
  const auto mtime = std::filesystem::last_write_time(xz, ec).time_since_epoch().count();
  const auto dir = std::filesystem::temp_directory_path() / ("sipl-test-corpus-" + std::to_string(getuid()));
  std::filesystem::create_directories(dir, ec);
  return (dir / (name + "-" + std::to_string(size) + "-" + std::to_string(mtime) + ".img")).string();
}

std::string corpus_disk(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (auto it = g_done.find(name); it != g_done.end()) return it->second;
  const std::string xz = std::string(SIPL_SHARED_DIR) + "/corpus/disks/" + name + ".img.xz";
  const std::string out = cached_name(xz, name);
  std::error_code ec;
  if (std::filesystem::is_regular_file(out, ec)) {
    g_done[name] = out;
    return out;
  }
  auto r = sh("t=$(mktemp '" + out + ".XXXXXX') && xz -dc '" + xz + "' > \"$t\" && mv -f \"$t\" '" + out + "'");
  if (r.exit_code != 0) {
    ADD_FAILURE() << "xz -dc failed for " << name << ": " << r.err;
    return "";
  }
  g_done[name] = out;
  return out;
}

}  // namespace sipl::test
