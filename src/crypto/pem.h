// The PEM and DER acceptance rules of GnuTLS's gnutls_x509_crt_import, which QEMU uses for
// boot-certs, with GnuTLS's error texts, so sipl accepts and rejects the same files.
#pragma once

#include <string>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::crypto {

// GnuTLS error strings QEMU prints after "Failed to import certificate: ".
inline constexpr const char* kGnutlsBase64HeaderError = "Base64 unexpected header error.";
inline constexpr const char* kGnutlsAsn1DerError = "ASN1 parser: Error in DER parsing.";
inline constexpr const char* kGnutlsAsn1TagError = "ASN1 parser: Error in TAG.";

// Returns the DER bytes of the first "CERTIFICATE" or "X509 CERTIFICATE" PEM block, or
// kBadInput with GnuTLS's text when there is none or its base64 is bad.
Result<Bytes> pem_certificate_body(ByteSpan pem);
// Returns kBadInput with GnuTLS's text unless `der` is exactly one DER SEQUENCE (definite
// length, no trailing bytes).
Status check_der_envelope(ByteSpan der);

// Returns true when `data` is PEM text (after leading white space, "-----BEGIN "): given where
// DER is expected, it earns a "PEM detected" explanation instead of a DER parse error.
bool looks_like_pem(ByteSpan data);

}  // namespace sipl::crypto
