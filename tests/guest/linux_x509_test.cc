// The kernel's key description and .platform loading, against the real console of a Secure
// boot (tests/data/corpus/console/h-secure-three-signers.log) and against certificates made
// with the openssl CLI for each branch of x509_fabricate_name / x509_key_preparse. Expected
// descriptions are built from the names the test passes to openssl and from the subject key
// identifier and serial bytes that openssl prints; errno values are the kernel's
// (include/uapi/asm-generic/errno.h).
#include "sipl/guest/linux_x509.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "sipl/guest/platform_keyring.h"
#include "support/openssl_cli.h"
#include "support/must.h"
#include "support/run.h"
#include "support/test_data.h"

namespace sipl::guest {
namespace {

std::string hex_of_openssl(std::string s) {  // "9D:22:08" -> "9d2208"
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ':' || std::isspace(c); }), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Bytes der_of(const std::string& pem) {
  const std::string d = test::openssl_der(pem);
  Bytes b(d.size());
  std::transform(d.begin(), d.end(), b.begin(), [](char c) { return std::byte(static_cast<uint8_t>(c)); });
  return b;
}

// The subject key identifier as `openssl x509 -ext subjectKeyIdentifier` prints it.
std::string openssl_skid(const std::string& pem) {
  return hex_of_openssl(test::must_out("openssl x509 -in '" + pem + "' -noout -ext subjectKeyIdentifier | tail -n 1"));
}

// The contents octets of the serialNumber INTEGER: its offset and length from `openssl
// asn1parse` (the first INTEGER at depth 2), its bytes from the DER file.
std::string openssl_raw_serial(const std::string& pem, const test::TempDir& dir) {
  test::must_out("openssl x509 -in '" + pem + "' -outform DER -out '" + dir / "serial.der" + "'");
  const std::string line =
      test::must_out("openssl asn1parse -inform DER -in '" + dir / "serial.der" + "' | grep -m1 'd=2 .*INTEGER'");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(line, m, std::regex(R"(^\s*(\d+):d=2\s+hl=(\d+)\s+l=\s*(\d+))"))) << line;
  const size_t off = std::stoul(m[1]) + std::stoul(m[2]), len = std::stoul(m[3]);
  return test::must_out("xxd -p -s " + std::to_string(off) + " -l " + std::to_string(len) + " '" + dir / "serial.der" +
                "' | tr -d '\\n'");
}

// The `Loaded X.509 cert '...'` descriptions of the real console, in order.
std::vector<std::string> console_descriptions() {
  std::ifstream in(test::data_path("corpus/console/h-secure-three-signers.log"));
  std::vector<std::string> out;
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, std::regex(R"(integrity: Loaded X\.509 cert '(.*)'$)"))) out.push_back(m[1]);
  return out;
}

class LinuxX509 : public ::testing::Test {
 protected:
  // A self-signed certificate made by `openssl req -x509` with `extra` options.
  std::string make(const std::string& name, const std::string& subj, const std::string& extra = "",
                   const std::string& key = "rsa:2048") {
    const std::string pem = dir / (name + ".pem");
    test::must_out("openssl req -x509 -newkey " + key + " -nodes -keyout '" + dir / (name + ".key") + "' -out '" + pem +
           "' -days 30 -subj '" + subj + "' " + extra + " 2>/dev/null");
    return pem;
  }
  std::string description(const std::string& pem) {
    auto p = parse_like_linux(der_of(pem));
    EXPECT_TRUE(p.cert) << p.reason;
    return p.cert ? p.cert->description() : "";
  }
  test::TempDir dir;
};

TEST_F(LinuxX509, CorpusDescriptionsAreTheOnesTheRealGuestLoggedWithTheirSkid) {
  const auto logged = console_descriptions();
  ASSERT_EQ(logged.size(), 2u);  // the RSA-4096 and RSA-2048 signers; the ECDSA one failed
  for (const std::string name : {"rsa4096.pem", "rsa2048.pem"}) {
    const std::string pem = test::corpus_cert(name);
    const std::string d = description(pem);
    EXPECT_NE(std::find(logged.begin(), logged.end(), d), logged.end()) << d;
    EXPECT_EQ(d.substr(d.rfind(": ") + 2), openssl_skid(pem));
  }
  EXPECT_EQ(description(test::corpus_cert("rsa4096.pem")), logged[0]);
  EXPECT_EQ(description(test::corpus_cert("rsa2048.pem")), logged[1]);
}

TEST_F(LinuxX509, OrganizationAndCommonNameJoinWithColon) {
  const auto pem = make("oc", "/O=Example Org/CN=Boot signer");
  EXPECT_EQ(description(pem), "Example Org: Boot signer: " + openssl_skid(pem));
}

TEST_F(LinuxX509, CommonNameThatStartsWithTheOrganizationStandsAlone) {
  const auto pem = make("prefix", "/O=Acme/CN=Acme kernel signing key");
  EXPECT_EQ(description(pem), "Acme kernel signing key: " + openssl_skid(pem));
}

TEST_F(LinuxX509, CommonNameSharingSevenBytesWithTheOrganizationStandsAlone) {
  const auto pem = make("seven", "/O=Example Corporation/CN=Example secure boot");
  EXPECT_EQ(description(pem), "Example secure boot: " + openssl_skid(pem));
  // Six shared bytes are not enough.
  const auto six = make("six", "/O=Exampl Corporation/CN=Exampl-boot");
  EXPECT_EQ(description(six), "Exampl Corporation: Exampl-boot: " + openssl_skid(six));
}

TEST_F(LinuxX509, OnlyOneOfTheNamesOrTheEmailOrNothing) {
  const auto o = make("o", "/C=DE/O=Only Org");
  EXPECT_EQ(description(o), "Only Org: " + openssl_skid(o));
  const auto cn = make("cn", "/C=DE/CN=Only CN");
  EXPECT_EQ(description(cn), "Only CN: " + openssl_skid(cn));
  const auto mail = make("mail", "/C=DE/emailAddress=keys@example.org");
  EXPECT_EQ(description(mail), "keys@example.org: " + openssl_skid(mail));
  const auto none = make("none", "/C=DE/L=Nowhere");
  EXPECT_EQ(description(none), ": " + openssl_skid(none));
}

TEST_F(LinuxX509, TheLastCommonNameWins) {
  const auto pem = make("two", "/CN=first/CN=second");
  EXPECT_EQ(description(pem), "second: " + openssl_skid(pem));
}

TEST_F(LinuxX509, WithoutSubjectKeyIdentifierTheRawSerialNamesTheKey) {
  const auto small = make("serial", "/CN=No SKID", "-set_serial 0x1234abcd -addext subjectKeyIdentifier=none");
  EXPECT_EQ(description(small), "No SKID: " + openssl_raw_serial(small, dir));
  EXPECT_EQ(openssl_raw_serial(small, dir), "1234abcd");
  // A serial whose first byte has the top bit set carries DER's 00 pad byte, which the kernel
  // hex-encodes with the rest (openssl -serial does not show it).
  const auto high = make("high", "/CN=No SKID", "-set_serial 0x8a1b2c3d -addext subjectKeyIdentifier=none");
  EXPECT_EQ(description(high), "No SKID: " + openssl_raw_serial(high, dir));
  EXPECT_EQ(test::openssl_serial(high), "8A1B2C3D");
  EXPECT_EQ(description(high), "No SKID: 008a1b2c3d");
}

TEST_F(LinuxX509, UnknownKeyAlgorithmsAreEnopkg) {
  for (const std::string key : {"ed25519", "ec -pkeyopt ec_paramgen_curve:P-521"}) {
    auto p = parse_like_linux(der_of(make("k", "/CN=k", "", key)));
    EXPECT_FALSE(p.cert) << key;
    EXPECT_EQ(p.error, -kEnopkg) << key;
  }
  auto p384 = parse_like_linux(der_of(make("p384", "/CN=k", "", "ec -pkeyopt ec_paramgen_curve:P-384")));
  ASSERT_TRUE(p384.cert) << p384.reason;
  EXPECT_EQ(p384.cert->key_algo, "ecdsa-nist-p384");
  EXPECT_EQ(p384.cert->sig_algo, "ecdsa");
}

// --- load_ipl_certificates: the console lines and the keyring ---

TEST_F(LinuxX509, SelfSignedEcdsaFailsOnDebianAndLoadsWhereEcdsaIsBuiltIn) {
  const auto ec = make("ec", "/O=Test/CN=ECDSA signer", "", "ec -pkeyopt ec_paramgen_curve:P-256");
  const auto rsa = make("rsa", "/O=Test/CN=RSA signer");
  auto loads = load_ipl_certificates({der_of(ec), der_of(rsa)}, GuestKernel{});
  ASSERT_EQ(loads.size(), 2u);
  EXPECT_FALSE(loads[0].loaded);
  EXPECT_EQ(loads[0].error, -2);
  EXPECT_EQ(loads[0].subject, "Test: ECDSA signer");
  EXPECT_EQ(loads[0].dmesg, (std::vector<std::string>{"integrity: Loading X.509 certificate: IPL:db",
                                                      "integrity: Problem loading X.509 certificate -2",
                                                      "integrity: Error adding keys to platform keyring IPL:db"}));
  EXPECT_TRUE(loads[1].loaded);
  EXPECT_EQ(loads[1].dmesg[1], "integrity: Loaded X.509 cert 'Test: RSA signer: " + openssl_skid(rsa) + "'");
  const auto f = keyring_findings(loads, GuestKernel{});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "guest.platform_key_not_loaded");
  EXPECT_NE(f[0].message.find("'Test: ECDSA signer'"), std::string::npos) << f[0].message;
  EXPECT_NE(f[0].message.find("ECDSA keys need ECDSA support built into the kernel"), std::string::npos);

  GuestKernel builtin;
  builtin.ecdsa_builtin = true;
  loads = load_ipl_certificates({der_of(ec)}, builtin);
  ASSERT_TRUE(loads[0].loaded);
  EXPECT_EQ(loads[0].description, "Test: ECDSA signer: " + openssl_skid(ec));
}

TEST_F(LinuxX509, AnEcdsaKeyIssuedByAnRsaCaIsNotVerifiedAndLoads) {
  const auto ca = make("ca", "/O=Test/CN=RSA CA");
  test::must_out("cd '" + dir.path() + "' && printf 'subjectKeyIdentifier=hash\\n' > ext && "
         "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr "
         "-subj '/O=Test/CN=ECDSA leaf' 2>/dev/null && openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key "
         "-set_serial 7 -days 30 -out leaf.pem -extfile ext 2>/dev/null");
  const auto leaf = dir / "leaf.pem";
  auto loads = load_ipl_certificates({der_of(leaf)}, GuestKernel{});
  ASSERT_TRUE(loads[0].loaded) << loads[0].reason;
  EXPECT_EQ(loads[0].description, "Test: ECDSA leaf: " + openssl_skid(leaf));
}

TEST_F(LinuxX509, ABrokenSelfSignatureIsRejectedAndGarbageIsBadMessage) {
  const auto rsa = make("rsa", "/CN=RSA signer");
  Bytes der = der_of(rsa);
  der[der.size() - 5] ^= std::byte{0x01};  // inside the signature BIT STRING
  auto loads = load_ipl_certificates({der, Bytes(100, std::byte{0x42})}, GuestKernel{});
  EXPECT_EQ(loads[0].error, -129);
  EXPECT_EQ(loads[1].error, -74);
  EXPECT_EQ(loads[1].dmesg.size(), 3u);
}

}  // namespace
}  // namespace sipl::guest
