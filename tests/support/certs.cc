#include "support/certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace sipl::test {
namespace {

EVP_PKEY* make_key(const std::string& type) {
  if (type == "rsa2048") return EVP_RSA_gen(2048);
  if (type == "rsa4096") return EVP_RSA_gen(4096);
  if (type == "p256") return EVP_EC_gen("P-256");
  if (type == "p384") return EVP_EC_gen("P-384");
  if (type == "p521") return EVP_EC_gen("P-521");
  if (type == "ed25519") return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  throw std::runtime_error("unknown key type " + type);
}

void add_ext(X509* x, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("bad extension " + value);
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

void make_cert(const CertSpec& spec, const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = make_key(spec.key_type);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), spec.serial);
  time_t now = spec.absolute ? 0 : time(nullptr);
  ASN1_TIME_set(X509_getm_notBefore(x), now + spec.not_before);
  ASN1_TIME_set(X509_getm_notAfter(x), now + spec.not_after);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(x, name);
  X509_set_pubkey(x, key);
  add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(x, NID_subject_key_identifier, "hash");
  if (!spec.key_usage.empty()) add_ext(x, NID_key_usage, "critical," + spec.key_usage);
  if (spec.padding_extension > 0) {
    ASN1_OBJECT* obj = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
    ASN1_OCTET_STRING* data = ASN1_OCTET_STRING_new();
    std::string pad(spec.padding_extension, 'P');
    ASN1_OCTET_STRING_set(data, reinterpret_cast<const unsigned char*>(pad.data()), static_cast<int>(pad.size()));
    X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, data);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(data);
    ASN1_OBJECT_free(obj);
  }
  const EVP_MD* md = spec.key_type == "ed25519" ? nullptr : EVP_sha256();
  if (X509_sign(x, key, md) <= 0) throw std::runtime_error("X509_sign failed");
  FILE* f = fopen(cert_path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + cert_path);
  PEM_write_X509(f, x);
  fclose(f);
  if (!key_path.empty()) {
    f = fopen(key_path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + key_path);
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    fclose(f);
  }
  X509_free(x);
  EVP_PKEY_free(key);
}

}  // namespace sipl::test
