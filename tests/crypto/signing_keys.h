// Test fixtures for signing: keys and self-signed certificates made by the openssl CLI (an
// independent source) once per test process, and the kernel's sign-file.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "support/run.h"

namespace sipl::test {

inline constexpr const char* kSignFile = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";

struct KeyPair {
  std::string key;   // PEM private key
  std::string cert;  // PEM certificate with the kernel's default_x509.genkey extensions
};

// Returns a key pair of `kind` ("rsa:2048", "rsa:4096", "ec:P-256", "ec:P-384"), made with
// `openssl req` on first use in this process; fails the test when openssl fails.
inline const KeyPair& openssl_key(const std::string& kind) {
  static TempDir dir;
  static std::map<std::string, KeyPair> made;
  if (auto it = made.find(kind); it != made.end()) return it->second;
  std::string base = dir / ("k" + std::to_string(made.size()));
  write_text(base + ".cnf",
             "[ req ]\ndistinguished_name = dn\nprompt = no\nstring_mask = utf8only\nx509_extensions = ext\n"
             "[ dn ]\nCN = sipl test signing key\n"
             "[ ext ]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature\n"
             "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
  std::string newkey = kind.starts_with("ec:") ? "-newkey ec -pkeyopt ec_paramgen_curve:" + kind.substr(3)
                                               : "-newkey " + kind;
  auto r = sh("openssl req -new -x509 -nodes -utf8 -sha256 -days 3650 -batch " + newkey + " -config " + base +
              ".cnf -keyout " + base + ".key -out " + base + ".pem 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return made[kind] = KeyPair{base + ".key", base + ".pem"};
}

// Returns the bytes of a file as a string (binary safe).
inline std::string file_bytes(const std::string& path) { return read_text(path); }

}  // namespace sipl::test
