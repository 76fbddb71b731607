// INTERIM (feat/sign only): the few crypto::Certificate members signing needs, until the
// lead's crypto/certificate.cc lands on main. Delete this file when merging main.
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/ossl_ptr.h"
#include "sipl/crypto/certificate.h"

namespace sipl::crypto {

struct Certificate::Impl {
  ossl::X509Ptr x509;
  Bytes der;
};

namespace {
Result<Certificate> wrap(X509* raw, Certificate (*make)(std::shared_ptr<const Certificate::Impl>)) {
  auto impl = std::make_shared<Certificate::Impl>();
  impl->x509.reset(raw);
  int n = i2d_X509(raw, nullptr);
  impl->der.resize(static_cast<size_t>(n));
  auto* p = reinterpret_cast<unsigned char*>(impl->der.data());
  i2d_X509(raw, &p);
  return make(std::move(impl));
}
}  // namespace

Result<Certificate> Certificate::from_pem(ByteSpan pem) {
  ERR_clear_error();
  ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (!raw) return fail(ErrorCode::kBadInput, "not a PEM certificate: " + ossl::drain_errors());
  return wrap(raw, [](std::shared_ptr<const Impl> i) {
    Certificate c;
    c.impl_ = std::move(i);
    return c;
  });
}

Result<Certificate> Certificate::from_der(ByteSpan der) {
  ERR_clear_error();
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* raw = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!raw) return fail(ErrorCode::kBadInput, "not a DER certificate: " + ossl::drain_errors());
  return wrap(raw, [](std::shared_ptr<const Impl> i) {
    Certificate c;
    c.impl_ = std::move(i);
    return c;
  });
}

Result<Certificate> Certificate::from_pem_or_der(ByteSpan data) {
  if (to_string(data).find("-----BEGIN") != std::string::npos) return from_pem(data);
  return from_der(data);
}

const Bytes& Certificate::der() const { return impl_->der; }
const void* Certificate::native_handle() const { return impl_->x509.get(); }

}  // namespace sipl::crypto
