// Internal to crypto/: the one spelling of a certificate serial number that every verb prints,
// the one `openssl x509 -noout -serial` prints (docs/DECISIONS.md, "Serial numbers").
#pragma once

#include <string>

#include <openssl/asn1.h>

#include "sipl/base/bytes.h"

namespace sipl::crypto {

// Returns `serial` as `openssl x509 -serial` spells it (OpenSSL's i2a_ASN1_INTEGER without
// its line breaks): upper-case hex, two digits a byte, "-" before a negative one, "00" for 0.
std::string serial_hex(const ASN1_INTEGER* serial);

// Returns the contents of a DER INTEGER (no tag, no length) spelled as serial_hex() does:
// a sign byte 00 dropped, a negative value as "-" and its magnitude. Contents OpenSSL refuses
// (non-minimal padding, empty) are shown as plain upper-case hex of the bytes as they are.
std::string serial_hex_from_der(ByteSpan contents);

}  // namespace sipl::crypto
