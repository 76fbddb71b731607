// A real PKCS#11 token for tests: SoftHSM2 with its token directory in a fresh temporary
// directory (SOFTHSM2_CONF is set for this process and so for every tool and sipl it runs),
// initialised with softhsm2-util, keys imported with softhsm2-util and certificates written
// with pkcs11-tool (OpenSC): the same tools a site uses.
#pragma once

#include <string>

#include "support/run.h"

namespace sipl::test {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr const char* kTokenLabel = "sipl-test";
inline constexpr const char* kUserPin = "1234";

class SoftHsmToken {
 public:
  // Initialises the token kTokenLabel with user PIN kUserPin and SO PIN 5678.
  SoftHsmToken();
  ~SoftHsmToken();
  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;

  // Imports the PEM private key (any form openssl reads) as `label` with CKA_ID `id_hex`,
  // and, when given, the certificate under the same label and id.
  void import_key(const std::string& key_pem, const std::string& label, const std::string& id_hex,
                  const std::string& cert_pem = "");
  // Returns "pkcs11:token=sipl-test;object=LABEL" plus `extra` path attributes and the
  // query "?module-path=<SoftHSM>" plus `query` (e.g. "&pin-value=1234").
  std::string uri(const std::string& label, const std::string& extra = "", const std::string& query = "") const;
  // Returns `pkcs11-tool --module <SoftHSM> ARGS` as a shell command.
  std::string pkcs11_tool(const std::string& args) const;
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string old_conf_;
  bool had_conf_ = false;
};

}  // namespace sipl::test
