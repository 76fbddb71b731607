// Certificates for the DIAG 0x320 tests, generated once per test process with real tools, and
// the values a VCE must carry for each, computed by those tools (never by sipl):
//   DER          openssl x509 -outform DER
//   fingerprint  openssl x509 -noout -fingerprint -sha256
//   key id       certtool --key-id --hash sha256 --load-certificate (GnuTLS, as QEMU)
//   name         printf '%-64s' basename | iconv -t IBM037 (glibc)
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "support/run.h"

namespace sipl::test {

struct ToolCert {
  std::string file;  // basename
  std::string path;
  Bytes der;
  Bytes fingerprint;
  Bytes key_id;
  Bytes name_ebcdic;
  bool p521 = false;
  bool time_valid = true;  // valid at CertSet::at_offset seconds after generation
};

inline Bytes test_bytes(const std::string& s) {
  Bytes b(s.size());
  for (size_t i = 0; i < s.size(); ++i) b[i] = std::byte(static_cast<unsigned char>(s[i]));
  return b;
}

inline Bytes hex_bytes(std::string hex) {
  std::string clean;
  for (char c : hex)
    if (std::isxdigit(static_cast<unsigned char>(c))) clean += c;
  Bytes b;
  for (size_t i = 0; i + 1 < clean.size(); i += 2)
    b.push_back(std::byte(static_cast<unsigned char>(std::stoul(clean.substr(i, 2), nullptr, 16))));
  return b;
}

// Runs a shell command that must succeed; returns its stdout.
inline std::string must_sh(const std::string& cmd) {
  auto r = sh(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  return r.out;
}

class CertSet {
 public:
  // rsa.pem (RSA 2048), p384.pem (ECDSA P-384), p521.pem (ECDSA P-521), expired.pem (2001),
  // future.pem (2090): the first three valid for ten years from now.
  static const CertSet& get() {
    static const std::unique_ptr<CertSet> set(new CertSet());
    return *set;
  }

  std::vector<std::string> paths() const {
    std::vector<std::string> p;
    for (const auto& c : certs) p.push_back(c.path);
    return p;
  }
  const ToolCert& by_file(const std::string& f) const {
    for (const auto& c : certs)
      if (c.file == f) return c;
    ADD_FAILURE() << "no test certificate " << f;
    return certs.front();
  }

  TempDir dir;
  std::vector<ToolCert> certs;

 private:
  CertSet() {
    const std::string d = dir.path();
    must_sh("cd " + d + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.pem"
            " -subj /CN=sipl-rsa -days 3650 2>/dev/null");
    must_sh("cd " + d + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes"
            " -keyout p384.key -out p384.pem -subj /CN=sipl-p384 -days 3650 2>/dev/null");
    must_sh("cd " + d + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes"
            " -keyout p521.key -out p521.pem -subj /CN=sipl-p521 -days 3650 2>/dev/null");
    dated(d, "expired", "2001-01-01 00:00:00", "2002-01-01 00:00:00");
    dated(d, "future", "2090-01-01 00:00:00", "2091-01-01 00:00:00");
    for (std::string f : {"rsa.pem", "p384.pem", "p521.pem", "expired.pem", "future.pem"}) {
      ToolCert c;
      c.file = f;
      c.path = d + "/" + f;
      must_sh("openssl x509 -in " + c.path + " -outform DER -out " + c.path + ".der");
      c.der = test_bytes(read_text(c.path + ".der"));
      std::string fp = must_sh("openssl x509 -noout -fingerprint -sha256 -in " + c.path);
      c.fingerprint = hex_bytes(fp.substr(fp.find('=') + 1));
      c.key_id = hex_bytes(must_sh("certtool --key-id --hash sha256 --load-certificate " + c.path));
      c.name_ebcdic = test_bytes(must_sh("printf '%-64s' '" + f + "' | iconv -f ASCII -t IBM037"));
      c.p521 = must_sh("openssl x509 -noout -text -in " + c.path).find("secp521r1") != std::string::npos;
      c.time_valid = f != "expired.pem" && f != "future.pem";
      certs.push_back(std::move(c));
    }
  }

  static void dated(const std::string& d, const std::string& name, const std::string& from,
                    const std::string& to) {
    must_sh("cd " + d + " && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
            name + ".key");
    write_text(d + "/" + name + ".tmpl", "cn = \"sipl-" + name + "\"\nserial = 7\n" +
                                             "activation_date = \"" + from + "\"\n" +
                                             "expiration_date = \"" + to + "\"\nsigning_key\n");
    must_sh("cd " + d + " && certtool --generate-self-signed --load-privkey " + name +
            ".key --template " + name + ".tmpl --outfile " + name + ".pem >/dev/null 2>&1");
  }
};

}  // namespace sipl::test
