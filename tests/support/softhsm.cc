#include "support/softhsm.h"

#include <cstdlib>
#include <stdexcept>

namespace sipl::test {

namespace {
void must_run(const std::string& cmd) {
  auto r = sh(cmd);
  if (r.exit_code != 0) throw std::runtime_error(cmd + " failed: " + r.out + r.err);
}
}  // namespace

SoftHsmToken::SoftHsmToken() {
  if (const char* c = std::getenv("SOFTHSM2_CONF")) {
    had_conf_ = true;
    old_conf_ = c;
  }
  must_run("mkdir " + (dir_ / "tokens"));
  write_text(dir_ / "softhsm2.conf",
             "directories.tokendir = " + (dir_ / "tokens") + "\nobjectstore.backend = file\nlog.level = ERROR\n");
  ::setenv("SOFTHSM2_CONF", (dir_ / "softhsm2.conf").c_str(), 1);
  must_run(std::string("softhsm2-util --init-token --free --label ") + kTokenLabel + " --pin " + kUserPin +
           " --so-pin 5678 >/dev/null");
}

SoftHsmToken::~SoftHsmToken() {
  if (had_conf_)
    ::setenv("SOFTHSM2_CONF", old_conf_.c_str(), 1);
  else
    ::unsetenv("SOFTHSM2_CONF");
}

void SoftHsmToken::import_key(const std::string& key_pem, const std::string& label, const std::string& id_hex,
                              const std::string& cert_pem) {
  // softhsm2-util takes PKCS#8 PEM; pkcs11-tool takes a DER certificate.
  const std::string p8 = dir_ / (label + ".p8");
  must_run("openssl pkcs8 -topk8 -nocrypt -in " + key_pem + " -out " + p8);
  must_run(std::string("softhsm2-util --import ") + p8 + " --token " + kTokenLabel + " --label " + label + " --id " +
           id_hex + " --pin " + kUserPin + " >/dev/null");
  if (cert_pem.empty()) return;
  const std::string der = dir_ / (label + ".der");
  must_run("openssl x509 -in " + cert_pem + " -outform DER -out " + der);
  must_run(pkcs11_tool(std::string("--token-label ") + kTokenLabel + " --login --pin " + kUserPin + " --write-object " +
                       der + " --type cert --label " + label + " --id " + id_hex + " >/dev/null 2>&1"));
}

std::string SoftHsmToken::uri(const std::string& label, const std::string& extra, const std::string& query) const {
  return std::string("pkcs11:token=") + kTokenLabel + ";object=" + label + extra + "?module-path=" + kSoftHsmModule +
         query;
}

std::string SoftHsmToken::pkcs11_tool(const std::string& args) const {
  return std::string("pkcs11-tool --module ") + kSoftHsmModule + " " + args;
}

}  // namespace sipl::test
