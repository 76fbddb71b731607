// The real zipl-written corpus disks (../shared/corpus/disks), decompressed with `xz -dc` at
// test time, once, into a cache under $TMPDIR shared by the test processes (never committed).
#pragma once

#include <string>

namespace sipl::test {

// Returns the path of the decompressed raw image `name` (e.g. "disk-a-unsigned"), creating it
// on first use. Fails the calling test (ADD_FAILURE) and returns "" when xz fails.
std::string corpus_disk(const std::string& name);
// Returns the path of ../shared/corpus/disks/<name>.layout.txt.
std::string corpus_layout(const std::string& name);
// Returns a directory for derived fixtures shared by tests (e.g. qemu-img conversions).
const std::string& corpus_scratch_dir();

}  // namespace sipl::test
