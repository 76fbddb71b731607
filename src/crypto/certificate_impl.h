// The data behind crypto::Certificate: computed once at load, shared by copies.
#pragma once

#include "crypto/ossl.h"
#include "sipl/crypto/certificate.h"

namespace sipl::crypto {

struct Certificate::Impl {
  X509Ptr x509;
  Bytes der;
  Sha256 fingerprint{};
  Sha256 key_id{};
  VceKeyType key_type = VceKeyType::kSelfDescribing;
  std::string key_description;
  UnixTime not_before = 0;
  UnixTime not_after = 0;
};

}  // namespace sipl::crypto
