#include "crypto/serial.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "crypto/der.h"
#include "crypto/ossl.h"
#include "crypto/ossl_extra.h"

namespace sipl::crypto {

std::string serial_hex(const ASN1_INTEGER* serial) {
  if (serial == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || i2a_ASN1_INTEGER(bio.get(), serial) < 0) return {};
  std::string s = bio_contents(bio.get());
  // OpenSSL breaks serials longer than 35 bytes with "\\\n"; one token is easier to compare.
  std::erase_if(s, [](char c) { return c == '\\' || c == '\n'; });
  return s;
}

std::string serial_hex_from_der(ByteSpan contents) {
  // Let OpenSSL decode the INTEGER, so sign and padding are read exactly as for a certificate.
  Bytes tlv;
  der::append_tlv(tlv, der::kInteger, contents);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(tlv.data());
  std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>> i(
      d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(tlv.size())));
  if (i) return serial_hex(i.get());
  ERR_clear_error();
  std::string h = to_hex(contents);
  for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return h;
}

}  // namespace sipl::crypto
