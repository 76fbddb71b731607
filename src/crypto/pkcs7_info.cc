// OpenSSL 3 CMS parsing of SignedData signer identifiers (no verification here).
#include "sipl/crypto/pkcs7_info.h"

#include <memory>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/ossl.h"
#include "crypto/serial.h"
#include "sipl/base/bytes.h"

namespace sipl::crypto {
namespace {

std::string name_rfc2253(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

}  // namespace

Result<Pkcs7Info> describe_pkcs7(ByteSpan der, const std::string& name) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms)
    return fail(ErrorCode::kBadInput, fmt::format("{} bytes are not a DER PKCS#7/CMS structure", der.size()),
                Location{name});
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return fail(ErrorCode::kBadInput, "PKCS#7 structure is not SignedData", Location{name});
  Pkcs7Info info;
  STACK_OF(CMS_SignerInfo)* sis = CMS_get0_SignerInfos(cms.get());
  for (int i = 0; i < sk_CMS_SignerInfo_num(sis); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(sis, i);
    ASN1_OCTET_STRING* keyid = nullptr;
    X509_NAME* issuer = nullptr;
    ASN1_INTEGER* sno = nullptr;
    SignerIdentity id;
    if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) == 1) {
      if (issuer) id.issuer = name_rfc2253(issuer);
      if (sno) id.serial_hex = serial_hex(sno);
      if (keyid)
        id.subject_key_id_hex = to_hex(ByteSpan(reinterpret_cast<const std::byte*>(ASN1_STRING_get0_data(keyid)),
                                                static_cast<size_t>(ASN1_STRING_length(keyid))));
    }
    X509_ALGOR* dig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, nullptr);
    if (dig) {
      const ASN1_OBJECT* obj = nullptr;
      X509_ALGOR_get0(&obj, nullptr, nullptr, dig);
      const int nid = OBJ_obj2nid(obj);
      if (nid != NID_undef) id.digest = OBJ_nid2sn(nid);
    }
    info.signers.push_back(std::move(id));
  }
  STACK_OF(X509)* certs = CMS_get1_certs(cms.get());
  info.certificates = certs ? static_cast<size_t>(sk_X509_num(certs)) : 0;
  sk_X509_pop_free(certs, X509_free);
  return info;
}

}  // namespace sipl::crypto
