// Who signed a DER PKCS#7 / CMS SignedData blob (the SIGNATURE component of a zipl disk,
// the appended signature of a file): the signer identifiers of its SignerInfos, read
// without verifying anything. s390-tools zipl/src/bootmap.c extract_signature: the disk has no key
// field, the signer is named only inside the PKCS#7 (issuer + serial, or SubjectKeyIdentifier).
#pragma once

#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::crypto {

struct SignerIdentity {
  // Issuer distinguished name in RFC 2253 form (empty when identified by key id).
  std::string issuer;
  // Serial number as Certificate::serial_hex spells it (like `openssl x509 -serial`).
  std::string serial_hex;
  // SubjectKeyIdentifier as lower-case hex (sign-file -k), empty otherwise.
  std::string subject_key_id_hex;
  // Digest algorithm short name, e.g. "SHA256".
  std::string digest;
};

struct Pkcs7Info {
  std::vector<SignerIdentity> signers;
  size_t certificates = 0;  // certificates embedded in the SignedData (sign-file embeds none)
};

// Returns the signer identities of the DER SignedData in `der`; kBadInput (naming `name`)
// when it is not a DER CMS/PKCS#7 SignedData.
Result<Pkcs7Info> describe_pkcs7(ByteSpan der, const std::string& name);

}  // namespace sipl::crypto
