#include "support/corpus_disks.h"

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

std::string corpus_disk(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (auto it = g_done.find(name); it != g_done.end()) return it->second;
  const std::string out = scratch() / (name + ".img");
  auto r = sh("xz -dc '" + std::string(SIPL_SHARED_DIR) + "/corpus/disks/" + name + ".img.xz' > '" + out + "'");
  if (r.exit_code != 0) {
    ADD_FAILURE() << "xz -dc failed for " << name << ": " << r.err;
    return "";
  }
  g_done[name] = out;
  return out;
}

}  // namespace sipl::test
