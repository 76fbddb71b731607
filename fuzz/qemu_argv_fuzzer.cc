// Fuzzes the QEMU command-line parser (one argument per input line). Invariant for every
// accepted command line that sipl can write back: parse → domain → argv → parse → domain →
// argv gives the same argv the second time (the round trip is stable).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sipl/mgmt/qemu_argv.h"

using namespace sipl::mgmt;

namespace {
sipl::Result<std::vector<std::string>> roundtrip(const std::vector<std::string>& argv) {
  auto m = parse_qemu_argv(argv);
  if (!m) return tl::unexpected(m.error());
  auto d = domain_from_machine(*m);
  if (!d) return tl::unexpected(d.error());
  auto cl = build_qemu_command_line(*d, {});
  if (!cl) return tl::unexpected(cl.error());
  return cl->args;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> argv;
  std::string cur;
  for (size_t i = 0; i < size && argv.size() < 4096; ++i) {
    if (data[i] == '\n') {
      argv.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  if (!cur.empty()) argv.push_back(cur);
  auto first = roundtrip(argv);
  if (!first) return 0;
  auto second = roundtrip(*first);
  if (!second || *second != *first) {
    std::fprintf(stderr, "invariant broken: argv round trip is not stable\n");
    std::abort();
  }
  return 0;
}
