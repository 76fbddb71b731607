// An X.509 certificate as the Linux kernel's own parser sees it (crypto/asymmetric_keys/
// x509_cert_parser.c x509_cert_parse, x509_public_key.c x509_key_preparse, as in the 6.1
// kernel of Debian 12): the subject and issuer names it fabricates from CN, O and
// emailAddress, the raw serial and subject key identifier, the key and signature algorithms
// by the kernel's names ("rsa", "ecdsa-nist-p256", "ecdsa"), and the key description under
// which the key appears in a keyring (`keyctl show %:.platform`). The parser is written from
// the kernel's rules, not through OpenSSL, so it refuses what the kernel refuses with the
// kernel's errno.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/bytes.h"

namespace sipl::guest {

// The errno values the kernel's certificate loading returns (include/uapi/asm-generic/errno.h).
inline constexpr int kEnoent = 2;         // a crypto algorithm is not available (not built in)
inline constexpr int kEinval = 22;        // signatureAlgorithm differs from the TBS signature
inline constexpr int kEnopkg = 65;        // key or signature algorithm the parser does not know
inline constexpr int kEbadmsg = 74;       // malformed DER, time or extension
inline constexpr int kEkeyrejected = 129; // the self-signature does not verify

// What x509_cert_parse leaves in `struct x509_certificate` that decides loading and naming.
struct LinuxCertificate {
  std::string subject;  // x509_fabricate_name over the subject: "O: CN", "CN", "O", email or ""
  std::string issuer;   // the same over the issuer
  Bytes raw_subject;    // contents of the subject Name (the kernel compares these bytes)
  Bytes raw_issuer;
  Bytes raw_serial;                // contents octets of the serialNumber INTEGER
  std::optional<Bytes> raw_skid;   // contents of the subjectKeyIdentifier OCTET STRING
  std::optional<Bytes> akid_keyid;          // authorityKeyIdentifier keyIdentifier [0]
  std::optional<Bytes> akid_serial;         // authorityKeyIdentifier authorityCertSerialNumber [2]
  std::optional<Bytes> akid_issuer;         // its directoryName contents (with the serial)
  std::string key_algo;   // pub->pkey_algo: "rsa", "ecdsa-nist-p192|p256|p384", "sm2", "ecrdsa"
  std::string sig_algo;   // sig->pkey_algo: "rsa", "ecdsa", "sm2", "ecrdsa"
  std::string hash_algo;  // sig->hash_algo: "sha256", ...

  // Returns the key description x509_key_preparse proposes: "<subject>: <hex>", the hex being
  // the subject key identifier, or the raw serial number when there is none (lower case).
  std::string description() const;
  // Returns x509_check_for_self_signed's first test: the raw subject equals the raw issuer and
  // the authority key identifier, if any, names this certificate.
  bool self_issued() const;
  // Returns true when the authority key identifier names this certificate only in part (one
  // of its two identifiers matches, the other does not): the kernel rejects such a certificate.
  bool akid_half_matches() const;
};

// The result of parsing: the certificate, or the negative errno the kernel returns.
struct LinuxParse {
  std::optional<LinuxCertificate> cert;
  int error = 0;          // negative errno when `cert` is empty
  std::string reason;     // what the kernel refused, for a person
};

// Returns the kernel's view of the DER certificate `der`.
LinuxParse parse_like_linux(ByteSpan der);

}  // namespace sipl::guest
