// The parts of a DER CMS/PKCS#7 SignedData (RFC 5652 §5) that GnuTLS's
// gnutls_pkcs7_verify_direct reads: the encapsulated content type, signer info #0 (its
// identifier, digest and signature algorithms, signed attributes, signature) and the number
// of signer infos. Structure-checked like a schema decoder would; no cryptography here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::crypto {

inline constexpr const char* kOidSignedData = "1.2.840.113549.1.7.2";
inline constexpr const char* kOidData = "1.2.840.113549.1.7.1";
inline constexpr const char* kOidContentTypeAttr = "1.2.840.113549.1.9.3";
inline constexpr const char* kOidMessageDigestAttr = "1.2.840.113549.1.9.4";

struct CmsAttribute {
  std::string type_oid;
  std::optional<ByteSpan> first_value;  // whole TLV of values[0]; nullopt for an empty SET
};

struct CmsSignerInfo {
  bool sid_is_key_id = false;
  ByteSpan issuer_der;   // issuerAndSerialNumber.issuer (whole TLV)
  ByteSpan serial;       // issuerAndSerialNumber.serialNumber contents
  ByteSpan key_id;       // subjectKeyIdentifier contents
  std::string digest_oid;
  std::string signature_oid;
  // The signedAttrs field exactly as encoded ([0] IMPLICIT tag included), if present.
  std::optional<ByteSpan> signed_attrs_encoding;
  std::vector<CmsAttribute> signed_attrs;
  // What the signature covers when signed attributes are present: the attributes as GnuTLS
  // re-encodes them (QEMU passes the blob through gnutls_pkcs7_export2): DER, tag SET OF,
  // minimal lengths, SET OF elements sorted.
  Bytes signed_attrs_der;
  ByteSpan signature;
};

struct CmsSignedData {
  std::string econtent_type_oid;
  ByteSpan econtent_type_tlv;  // the eContentType OID as encoded (tag, length, value)
  bool has_embedded_content = false;
  size_t certificate_count = 0;
  size_t signer_count = 0;
  std::optional<CmsSignerInfo> signer0;  // nullopt when signerInfos is empty
};

// Returns the parsed SignedData, or kBadInput naming `what` and the byte offset of the first
// element that does not fit the grammar (trailing bytes after the ContentInfo included).
Result<CmsSignedData> parse_signed_data(ByteSpan der, const std::string& what);

}  // namespace sipl::crypto
