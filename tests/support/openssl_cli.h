// Independent expected values for certificate tests, read from the real openssl and
// certtool command-line tools (never from sipl's own code).
#pragma once

#include <string>

namespace sipl::test {

// `openssl x509 -fingerprint -sha256`, as lower-case hex without colons.
std::string openssl_fingerprint_sha256(const std::string& pem_path);
// `certtool --key-id --hash sha256` (GnuTLS, what QEMU calls), lower-case hex.
std::string certtool_key_id_sha256(const std::string& pem_path);
// `openssl x509 -subject -nameopt RFC2253` without the "subject=" prefix.
std::string openssl_subject(const std::string& pem_path);
// `openssl x509 -serial` without the "serial=" prefix (upper-case hex, two digits a byte).
std::string openssl_serial(const std::string& pem_path);
// Byte length of `openssl x509 -outform DER`.
size_t openssl_der_size(const std::string& pem_path);
// DER bytes from `openssl x509 -outform DER`.
std::string openssl_der(const std::string& pem_path);
// notBefore / notAfter as RFC 3339 (`openssl x509 -startdate`, converted by GNU date).
std::string openssl_not_before(const std::string& pem_path);
std::string openssl_not_after(const std::string& pem_path);
// notAfter + 1 s as RFC 3339 (openssl, then GNU date): the first second the certificate is no
// longer valid.
std::string openssl_expiry_instant(const std::string& pem_path);

}  // namespace sipl::test
