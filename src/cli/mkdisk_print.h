// Text and JSON renderings of a bootmap layout for `sipl mkdisk`.
#pragma once

#include <string>

#include "cli/json.h"

#include "sipl/image/boot_disk_writer.h"

namespace sipl::cli {

// Returns the human-readable layout (blocks, addresses, lengths), one component per line.
std::string mkdisk_text(const image::DiskWriteResult& r);
// Returns the JSON document describing the layout.
Json mkdisk_json(const image::DiskWriteResult& r);

}  // namespace sipl::cli
