// Text and JSON renderings of a bootmap layout for `sipl mkdisk`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sipl/image/boot_disk_writer.h"

namespace sipl::cli {

// Returns the human-readable layout (blocks, addresses, lengths), one component per line.
std::string mkdisk_text(const image::DiskWriteResult& r);
// Returns the JSON document describing the layout.
nlohmann::ordered_json mkdisk_json(const image::DiskWriteResult& r);

}  // namespace sipl::cli
