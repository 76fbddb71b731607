// X.509 certificates as QEMU's certificate store and DIAG 0x320 see them: loaded from PEM
// (one certificate per file, like QEMU's GnuTLS import) or DER, with the values a VCE
// carries (SHA-256 key id as GnuTLS computes it, SHA-256 fingerprint, DER, key type) and the
// values a person checks (subject, issuer, serial, validity window).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"
#include "sipl/base/time.h"

namespace sipl::crypto {

using Sha256 = std::array<std::byte, 32>;

// VCE key type (QEMU crypto/x509-utils.c, hw/s390x/cert-store.c): 1 for ECDSA on secp521r1, 0 for
// everything else.
enum class VceKeyType : uint8_t { kSelfDescribing = 0, kEcdsaP521 = 1 };

// The kinds of key a signature check tells apart: RSA (rsaEncryption), ECDSA (an EC key that is
// not SM2), anything else (RSA-PSS-only keys, EdDSA, SM2, unknown algorithms).
enum class KeyAlgorithm : uint8_t { kOther, kRsa, kEcdsa };

class Certificate {
 public:
  // Returns the first certificate of a PEM text. Errors are kBadInput with a message in
  // GnuTLS's words where QEMU would print GnuTLS's (see certificate.cc).
  static Result<Certificate> from_pem(ByteSpan pem);
  // Returns the certificate encoded in `der` (the whole span must be one certificate).
  static Result<Certificate> from_der(ByteSpan der);
  // Returns a PEM or DER certificate, sniffing the format (PEM if it contains "-----BEGIN").
  static Result<Certificate> from_pem_or_der(ByteSpan data);

  // Returns the DER encoding (re-encoded by OpenSSL, as QEMU re-exports with GnuTLS).
  const Bytes& der() const;
  // Returns SHA-256 of the DER (the VCE hash, `openssl x509 -fingerprint -sha256`).
  const Sha256& fingerprint_sha256() const;
  // Returns SHA-256 of the DER SubjectPublicKeyInfo (GnuTLS key id, `certtool --key-id --hash sha256`).
  const Sha256& key_id_sha256() const;
  // Returns the VCE key type.
  VceKeyType key_type() const;
  // Returns e.g. "RSA 2048", "ECDSA P-384", "Ed25519".
  std::string key_description() const;
  // Returns the kind of key, read from the SubjectPublicKeyInfo (the key itself is decoded
  // only when that cannot tell: see certificate.cc).
  KeyAlgorithm key_algorithm() const;
  // Returns why GnuTLS, QEMU's X.509 library, cannot read the public key, or "" when it can:
  // an EC key on a curve GnuTLS does not support (it reads P-192, P-224, P-256, P-384 and
  // P-521) or with explicit curve parameters. QEMU then cannot classify the key or compute its
  // key id, and the guest receives the certificate's VCE marked invalid.
  const std::string& gnutls_key_problem() const;
  // Returns the subject / issuer as RFC 2253 text (`openssl x509 -nameopt RFC2253`).
  std::string subject() const;
  std::string issuer() const;
  // Returns the serial number as `openssl x509 -serial` prints it: upper-case hex, two
  // digits a byte ("00" for zero, "-" before a negative one).
  std::string serial_hex() const;
  // Returns the validity window in Unix seconds.
  UnixTime not_before() const;
  UnixTime not_after() const;
  // Returns true when not_before <= t <= not_after (GnuTLS's activation/expiry checks).
  bool valid_at(UnixTime t) const;
  // Returns true when the certificate's signature verifies with its own public key (what a
  // self-signed certificate's signature must do; Linux checks it when it loads one).
  bool verifies_own_signature() const;

  // The OpenSSL X509* behind this certificate, for crypto/ internals only (no OpenSSL types
  // in public headers).
  const void* native_handle() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sipl::crypto
