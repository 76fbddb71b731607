// The boot chain of a zipl SCSI-scheme disk as the s390-ccw BIOS walks it, with what the walk
// alone does not say: who each SIGNATURE entry names as signer, which LOAD entry it covers, and
// whether each loaded component ends in a SCLAB. What `sipl inspect` shows, for any caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipl/base/result.h"
#include "sipl/crypto/pkcs7_info.h"
#include "sipl/fw/boot_record.h"
#include "sipl/image/disk_image.h"

namespace sipl::fw {

struct InspectRequest {
  std::string disk;                // raw or qcow2 image
  uint32_t block_size = 0;         // 0: the one the boot record names
  std::optional<unsigned> program; // one program table entry only (the loadparm); nullopt: every used one
};

// One component table entry and what inspection adds to it.
struct InspectedComponent {
  Component entry;
  // SIGNATURE entries: the signers the PKCS#7 names, or why it does not parse.
  std::optional<crypto::Pkcs7Info> signers;
  std::string signers_error;
  // LOAD entries: the table index of the SIGNATURE entry right before it (which covers it).
  std::optional<unsigned> signed_by;
  // Every entry that loads bytes, except SIGNATURE entries: whether they end in a SCLAB.
  std::optional<bool> sclab;
};

struct InspectedProgram {
  unsigned index = 0;            // program table entry
  uint64_t component_table = 0;  // its block
  uint8_t header_type = 0;       // zipl::component_header::kTypeIpl / kTypeDump
  uint64_t loaded_bytes = 0;
  std::vector<InspectedComponent> components;
};

struct [[nodiscard]] DiskInspection {
  std::string disk;
  image::ImageFormat format = image::ImageFormat::kRaw;
  uint64_t size = 0;
  uint32_t block_size = 512;
  BootMap boot_map;
  std::vector<unsigned> used_entries;  // the program table entries in use
  std::vector<InspectedProgram> programs;
};

// Returns the inspected chain. Errors (kBadInput naming the block, kIo) as read_boot_map and
// load_program, and for a component whose end cannot be read.
Result<DiskInspection> inspect_disk(const InspectRequest& request);

}  // namespace sipl::fw
