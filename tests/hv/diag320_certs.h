// Certificates for the DIAG 0x320 tests, generated once per build tree with real tools, and
// the values a VCE must carry for each, computed by those tools (never by sipl):
//   DER          openssl x509 -outform DER
//   fingerprint  openssl x509 -noout -fingerprint -sha256
//   key id       certtool --key-id --hash sha256 --load-certificate (GnuTLS, as QEMU)
//   name         printf '%-64s' basename | iconv -t IBM037 (glibc)
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
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
  // future.pem (2090): the first three valid for ten years from generation.
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

  std::string dir;
  std::vector<ToolCert> certs;

 private:
  static constexpr const char* kFiles[] = {"rsa.pem", "p384.pem", "p521.pem", "expired.pem",
                                           "future.pem"};

  // ctest runs every test in its own process; generating keys in each would take minutes. The
  // set is made once per build tree (build/<preset>/test-cache) and moved into place with a
  // rename, so concurrent test processes never see a half-made set.
  CertSet() {
    namespace fs = std::filesystem;
    const fs::path cache = fs::path(SIPL_BIN).parent_path().parent_path().parent_path() / "test-cache";
    dir = (cache / "diag320-certs-v1").string();
    if (!fs::exists(fs::path(dir) / "complete")) {
      fs::create_directories(cache);
      const std::string tmp = dir + ".tmp." + std::to_string(::getpid());
      fs::remove_all(tmp);
      fs::create_directories(tmp);
      generate(tmp);
      write_text(tmp + "/complete", "");
      std::error_code ec;
      fs::rename(tmp, dir, ec);  // fails if another process won the race: use its set
      fs::remove_all(tmp, ec);
    }
    for (std::string f : kFiles) {
      ToolCert c;
      c.file = f;
      c.path = dir + "/" + f;
      c.der = test_bytes(read_text(dir + "/tool/" + f + ".der"));
      const std::string fp = read_text(dir + "/tool/" + f + ".fingerprint");
      c.fingerprint = hex_bytes(fp.substr(fp.find('=') + 1));
      c.key_id = hex_bytes(read_text(dir + "/tool/" + f + ".keyid"));
      c.name_ebcdic = test_bytes(read_text(dir + "/tool/" + f + ".name"));
      c.p521 = read_text(dir + "/tool/" + f + ".txt").find("secp521r1") != std::string::npos;
      c.time_valid = f != "expired.pem" && f != "future.pem";
      EXPECT_EQ(c.fingerprint.size(), 32u) << f;
      EXPECT_EQ(c.key_id.size(), 32u) << f;
      EXPECT_EQ(c.name_ebcdic.size(), 64u) << f;
      certs.push_back(std::move(c));
    }
  }

  // Certificates in `d`, tool outputs in `d`/tool (so a directory walk over `d` sees only them).
  static void generate(const std::string& d) {
    const std::string t = d + "/tool";
    std::filesystem::create_directories(t);
    must_sh("cd " + t + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out ../rsa.pem"
            " -subj /CN=sipl-rsa -days 3650 2>/dev/null");
    must_sh("cd " + t + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes"
            " -keyout p384.key -out ../p384.pem -subj /CN=sipl-p384 -days 3650 2>/dev/null");
    must_sh("cd " + t + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes"
            " -keyout p521.key -out ../p521.pem -subj /CN=sipl-p521 -days 3650 2>/dev/null");
    dated(t, "expired", "2001-01-01 00:00:00", "2002-01-01 00:00:00");
    dated(t, "future", "2090-01-01 00:00:00", "2091-01-01 00:00:00");
    for (std::string f : kFiles) {
      const std::string pem = d + "/" + f, out = t + "/" + f;
      must_sh("openssl x509 -in " + pem + " -outform DER -out " + out + ".der");
      must_sh("openssl x509 -noout -fingerprint -sha256 -in " + pem + " > " + out + ".fingerprint");
      must_sh("certtool --key-id --hash sha256 --load-certificate " + pem + " > " + out + ".keyid");
      must_sh("printf '%-64s' '" + f + "' | iconv -f ASCII -t IBM037 > " + out + ".name");
      must_sh("openssl x509 -noout -text -in " + pem + " > " + out + ".txt");
    }
  }

  static void dated(const std::string& t, const std::string& name, const std::string& from,
                    const std::string& to) {
    must_sh("cd " + t + " && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
            name + ".key");
    write_text(t + "/" + name + ".tmpl", "cn = \"sipl-" + name + "\"\nserial = 7\n" +
                                             "activation_date = \"" + from + "\"\n" +
                                             "expiration_date = \"" + to + "\"\nsigning_key\n");
    must_sh("cd " + t + " && certtool --generate-self-signed --load-privkey " + name +
            ".key --template " + name + ".tmpl --outfile ../" + name + ".pem >/dev/null 2>&1");
  }
};

}  // namespace sipl::test
