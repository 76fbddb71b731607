// ASCII <-> EBCDIC with exactly the tables QEMU uses (include/hw/s390x/ebcdic.h), so the
// certificate names sipl shows are the bytes the guest reads in a VCE.
#pragma once

#include <string>
#include <string_view>

#include "sipl/base/bytes.h"

namespace sipl {

// Returns the EBCDIC bytes of `ascii` (one byte per input byte; non-ASCII maps as QEMU maps it).
Bytes ascii_to_ebcdic(std::string_view ascii);
// Returns the ASCII text of EBCDIC bytes (as QEMU's ebcdic2ascii table maps them).
std::string ebcdic_to_ascii(ByteSpan ebcdic);
// Returns the ASCII text of EBCDIC produced by ascii_to_ebcdic, inverting QEMU's ascii2ebcdic
// exactly for the printable range (QEMU's own ebcdic2ascii differs for a few characters such
// as '!' and '['); used to show certificate names as the user named the file.
std::string ebcdic_name_to_ascii(ByteSpan ebcdic);
// Returns `name` truncated to `width` bytes or right-padded with ASCII blanks, then EBCDIC.
Bytes ebcdic_padded(std::string_view name, size_t width);

}  // namespace sipl
