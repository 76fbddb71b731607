// Decoding a SCLAB and its locator from bytes a sipl::Reader has bounded (Fixed<N>): shared by
// find_sclab (image) and the BIOS engine's read of a SCLAB from guest memory (fw).
#pragma once

#include "sipl/base/reader.h"
#include "sipl/image/sclab.h"

namespace sipl::image {

// The fields of a format-0 SCLAB read from its 32 bytes (offset and length are left 0): the one
// decoder find_sclab and the BIOS engine's read from guest memory share.
Sclab decode_sclab(const Fixed<kSclabFormat0Size>& b);

// The origin locator, the last 8 bytes of a component: its length field and whether its magic
// is "zIPL".
struct SclabLocator {
  uint16_t length = 0;
  bool magic = false;
};
SclabLocator decode_sclab_locator(const Fixed<kSclabLocatorSize>& b);

}  // namespace sipl::image
