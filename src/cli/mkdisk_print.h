// Text and JSON renderings of a bootmap layout for `sipl mkdisk`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sipl/image/bootmap_writer.h"

namespace sipl::cli {

struct MkdiskSummary {
  std::string disk;
  uint64_t size = 0;
  bool existed = false;
  bool dry_run = false;
  image::SecureMode secure = image::SecureMode::kAuto;
};

// Returns the human-readable layout (blocks, addresses, lengths), one component per line.
std::string mkdisk_text(const MkdiskSummary& s, const image::Bootmap& bm);
// Returns the JSON document (schema_version 1) describing the layout.
nlohmann::ordered_json mkdisk_json(const MkdiskSummary& s, const image::Bootmap& bm);

}  // namespace sipl::cli
