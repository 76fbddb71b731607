// The data behind crypto::Certificate: computed once at load, shared by copies.
#pragma once

#include <mutex>

#include "crypto/ossl.h"
#include "sipl/crypto/certificate.h"

namespace sipl::crypto {

struct Certificate::Impl {
  // Parsed for its fields only: the public key is not decoded (certificate.cc, "Two parses").
  X509Ptr fields;
  Bytes der;
  Sha256 fingerprint{};
  Sha256 key_id{};
  VceKeyType key_type = VceKeyType::kSelfDescribing;
  KeyAlgorithm key_algorithm = KeyAlgorithm::kOther;
  std::string key_description;
  std::string gnutls_key_problem;
  UnixTime not_before = 0;
  UnixTime not_after = 0;

  // The certificate parsed by d2i_X509 with its public key decoded, made on first use.
  const X509* full() const;

 private:
  mutable std::once_flag full_once_;
  mutable X509Ptr full_;
};

}  // namespace sipl::crypto
