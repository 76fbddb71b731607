// The data the tests read (tests/data, see its PROVENANCE.md): the real zipl-written corpus
// disks, their layout walks and zipl logs, certificates, real consoles and regression inputs.
// $SIPL_TEST_DATA overrides the directory (the missing-data check points it at nothing).
#pragma once

#include <string>

namespace sipl::test {

// Returns the test data directory (tests/data of the source tree, or $SIPL_TEST_DATA).
std::string data_dir();
// Returns data_dir()/`relative`. A file that is missing or unreadable fails the calling test
// (ADD_FAILURE naming the path); the path is returned anyway so the caller's own checks fail
// with a message instead of a crash.
std::string data_path(const std::string& relative);
// Returns data_dir()/corpus/certs/`name` (checked as data_path does).
std::string corpus_cert(const std::string& name);
// Returns the path of the raw image `name` (e.g. "disk-a-unsigned") unpacked from
// corpus/disks/disks.tar.xz and checked against its SHA-256 (PROVENANCE.md), unpacking on
// first use. Fails the calling test (ADD_FAILURE) and returns "" when that fails.
std::string corpus_disk(const std::string& name);
// Returns data_dir()/corpus/disks/<name>.layout.txt (checked as data_path does).
std::string corpus_layout(const std::string& name);
// Returns a directory for derived fixtures shared by tests (e.g. qemu-img conversions).
const std::string& corpus_scratch_dir();

}  // namespace sipl::test
