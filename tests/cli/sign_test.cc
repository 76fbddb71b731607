// `sipl sign`: outputs compared with the kernel's sign-file on the same bytes; SCLAB layout
// built here by hand from s390-tools zipl/boot/stage3.lds.S, Linux arch/s390/boot/vmlinux.lds.S.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/signing_keys.h"
#include "support/json_schema.h"
#include "support/run.h"

namespace sipl {
namespace {

using test::run_sipl;
using test::sh;

class SignCli : public ::testing::Test {
 protected:
  const test::KeyPair& kp = test::openssl_key("rsa:2048");
  test::TempDir dir;

  // Signs `file` in place with sign-file.
  void sign_file(const std::string& file, const std::string& opts = "sha256") {
    auto r = sh(std::string(test::kSignFile) + " " + opts + " " + kp.key + " " + kp.cert + " " + file);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<std::string> sign_args(std::vector<std::string> extra) {
    std::vector<std::string> a{"sign", "--key", kp.key, "--cert", kp.cert};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

TEST_F(SignCli, InPlaceEqualsSignFileAndKeepsTheMode) {
  for (auto [digest, key_id] : {std::pair{"sha256", false}, std::pair{"sha512", true}}) {
    SCOPED_TRACE(digest);
    test::write_text(dir / "ours", std::string(2048, 'z'));
    test::write_text(dir / "theirs", std::string(2048, 'z'));
    ::chmod((dir / "ours").c_str(), 0640);
    std::vector<std::string> extra{"--digest", digest};
    if (key_id) extra.push_back("--key-id");
    extra.push_back(dir / "ours");
    auto r = run_sipl(sign_args(extra));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    sign_file(dir / "theirs", std::string(key_id ? "-k " : "") + digest);
    EXPECT_EQ(test::read_text(dir / "ours"), test::read_text(dir / "theirs"));
    struct stat st {};
    ::stat((dir / "ours").c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
  }
}

TEST_F(SignCli, OutputFileLeavesTheInputAlone) {
  test::write_text(dir / "in", std::string(512, 'i'));
  test::write_text(dir / "ref", std::string(512, 'i'));
  auto r = run_sipl(sign_args({"-o", dir / "out", dir / "in"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(dir / "in"), std::string(512, 'i'));
  sign_file(dir / "ref");
  EXPECT_EQ(test::read_text(dir / "out"), test::read_text(dir / "ref"));
}

// Issue 12: a signer certificate that is not valid when the guest boots (--at) signs fine but
// never verifies (GnuTLS checks the signer's times): sign warns, naming the validity openssl
// reads from the certificate. The signature itself is still sign-file's.
TEST_F(SignCli, WarnsWhenTheSignerIsNotValidAtTheBootTime) {
  auto date = [&](const char* which) {
    auto r = sh("date -u -d \"$(openssl x509 -in " + kp.cert + " -noout -" + which +
                " | cut -d= -f2)\" +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.size() - 1);
  };
  const std::string from = date("startdate"), to = date("enddate");
  auto subject = sh("openssl x509 -in " + kp.cert + " -noout -subject -nameopt RFC2253 | cut -d= -f2-");
  const std::string cn = subject.out.substr(0, subject.out.size() - 1);
  const std::pair<std::string, std::string> cases[] = {{"2099-01-01", "expired at 2099-01-01T00:00:00Z"},
                                                       {"2000-01-01", "not yet valid at 2000-01-01T00:00:00Z"}};
  for (const auto& [at, what] : cases) {
    test::write_text(dir / "c", std::string(512, 'e'));
    auto r = run_sipl(sign_args({"--at", at, dir / "c"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "sipl: warning: " + (dir / "c") + ": the signer certificate (" + cn + ") is " + what +
                         " (valid " + from + " to " + to +
                         "): QEMU's signature check fails while it is, so the component will not verify at boot "
                         "then\n");
  }
  test::write_text(dir / "c", std::string(512, 'e'));
  auto now = run_sipl(sign_args({dir / "c"}));
  ASSERT_EQ(now.exit_code, 0);
  EXPECT_EQ(now.err, "");
}

// OpenSSL signs with a secp256k1 key, but QEMU's GnuTLS cannot read it (certtool --key-id fails,
// the premise): sign still signs, and says the component will never verify at boot.
TEST_F(SignCli, WarnsWhenQemuCannotReadTheSignersKey) {
  ASSERT_EQ(sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp256k1 -nodes -keyout " + (dir / "k1.key") +
               " -subj /CN=k1 -days 30 -out " + (dir / "k1.pem") + " 2>/dev/null")
                .exit_code,
            0);
  ASSERT_NE(sh("certtool --key-id --hash sha256 --infile " + (dir / "k1.pem")).exit_code, 0)
      << "GnuTLS reads secp256k1 keys on this machine: the test's premise is gone";
  test::write_text(dir / "c", std::string(512, 'e'));
  auto r = run_sipl({"sign", "--key", dir / "k1.key", "--cert", dir / "k1.pem", "-o", dir / "c.signed", dir / "c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "sipl: warning: " + (dir / "c") +
                       ": the signer certificate's public key is one QEMU cannot read (GnuTLS does not support its EC "
                       "curve secp256k1): the component will never verify at boot\n");
  EXPECT_GT(std::filesystem::file_size(dir / "c.signed"), 512u);
}

// Issue 12: a wrong KBUILD_SIGN_PIN for an encrypted PEM key (made by openssl) is one line.
TEST_F(SignCli, AWrongPassphraseIsSaidOnce) {
  ASSERT_EQ(sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-128-cbc -pass pass:right -out " +
               (dir / "enc.key") + " && openssl req -new -x509 -key " + (dir / "enc.key") +
               " -passin pass:right -subj /CN=enc -days 3 -out " + (dir / "enc.pem"))
                .exit_code,
            0);
  test::write_text(dir / "c", std::string(512, 'k'));
  auto r = test::run({"env", "KBUILD_SIGN_PIN=wrong", SIPL_BIN, "sign", "--key", dir / "enc.key", "--cert",
                      dir / "enc.pem", dir / "c"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "enc.key") +
                       ": the passphrase in KBUILD_SIGN_PIN does not decrypt the private key (wrong passphrase)\n");
  EXPECT_EQ(test::read_text(dir / "c"), std::string(512, 'k'));
}

TEST_F(SignCli, DetachedEqualsSignFileP7s) {
  test::write_text(dir / "c", std::string(1536, 'd'));
  auto r = run_sipl(sign_args({"--detached", dir / "ours.p7s", dir / "c"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(dir / "c"), std::string(1536, 'd'));
  sign_file(dir / "c", "-d sha256");
  EXPECT_EQ(test::read_text(dir / "ours.p7s"), test::read_text(dir / "c.p7s"));
}

TEST_F(SignCli, SaveSignatureEqualsSignFileP) {
  // sign-file -p appends the signature and also keeps it as FILE.p7s.
  test::write_text(dir / "c", std::string(1536, 'p'));
  test::write_text(dir / "ref", std::string(1536, 'p'));
  auto r = run_sipl(sign_args({"--save-signature", dir / "ours.p7s", dir / "c"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  sign_file(dir / "ref", "-p sha256");
  EXPECT_EQ(test::read_text(dir / "c"), test::read_text(dir / "ref"));
  EXPECT_EQ(test::read_text(dir / "ours.p7s"), test::read_text(dir / "ref.p7s"));
  const std::string sig_size = std::to_string(test::read_text(dir / "ref.p7s").size());
  EXPECT_EQ(r.out, "Signed " + dir / "c" + " (1536 bytes) with RSA 2048 / sha256: " + sig_size +
                       "-byte signature appended, " + dir / "c" + " written, signature saved to " + dir / "ours.p7s" +
                       "\n");
  auto j = test::run_sipl_json(sign_args({"--json", "--dry-run", "--resign", "--save-signature", dir / "x.p7s", dir / "c"})).run;
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_NE(j.out.find("\"saved_signature\": \"" + dir / "x.p7s" + "\""), std::string::npos) << j.out;
  EXPECT_NE(test::sh("test -e '" + dir / "x.p7s" + "'").exit_code, 0);  // --dry-run wrote nothing
}

TEST_F(SignCli, RefusesASignedFileUnlessResign) {
  const std::string original(1024, 'r');
  test::write_text(dir / "c", original);
  sign_file(dir / "c");
  const std::string signed_once = test::read_text(dir / "c");
  const size_t sig_len = signed_once.size() - original.size() - 40;
  auto r = run_sipl(sign_args({dir / "c"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "c") + ": already carries an appended signature (" +
                       std::to_string(sig_len) +
                       " bytes); refusing to sign it again\n"
                       "sipl: note: a second signature would cover the first one and the file would no longer "
                       "verify (QEMU's docs warn against signing twice); use --resign to replace the old signature\n");
  EXPECT_EQ(test::read_text(dir / "c"), signed_once);

  // Signed twice by sign-file: --resign strips both and signs the original bytes.
  sign_file(dir / "c");
  r = test::run_sipl_json(sign_args({"--resign", "--json", dir / "c"})).run;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"removed_signatures\": 2,"), std::string::npos) << r.out;
  EXPECT_EQ(test::read_text(dir / "c"), signed_once);
}

TEST_F(SignCli, GlobalSclabIsPaddedToA4KiBBoundaryThenSigned) {
  const std::string original(5000, '\x07');
  test::write_text(dir / "stage3.bin", original);
  auto r = test::run_sipl_json(sign_args({"--sclab", "global", "--psw", "0x000800008000A000", "-o", dir / "out",
                                          "--json", dir / "stage3.bin"})).run;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 5000 bytes + 32 rounds up to 8192: zeros to 8160, then the stage 3 quadwords.
  std::string expected = original + std::string(8160 - 5000, '\0');
  expected += std::string("\x00\x00\xc0\x00\x00\x00\x00\x00", 8) + std::string("\x00\x08\x00\x00\x80\x00\xa0\x00", 8) +
              std::string("\x00\x00\x00\x00\x00\x00\xa0\x00", 8) + std::string("\x00\x00\x00\x20zIPL", 8);
  test::write_text(dir / "ref", expected);
  sign_file(dir / "ref");
  EXPECT_EQ(test::read_text(dir / "out"), test::read_text(dir / "ref"));
  EXPECT_NE(r.out.find("\"sclab\": {\n    \"offset\": 8160,\n    \"flags\": \"0xc000\",\n    \"load_psw\": "
                       "\"0x000800008000a000\",\n    \"load_addr\": \"0x000000000000a000\"\n  },"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"signed_size\": 8192,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"findings\": []"), std::string::npos) << r.out;

  // Signing the result again with --sclab is refused: it already has one.
  r = run_sipl(sign_args({"--resign", "--sclab", "plain", dir / "out"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "out") +
                       ": already ends in a SCLAB (flags 0xc000, 32 bytes at byte 8160); sipl adds one only to "
                       "components that lack one\n");
}

TEST_F(SignCli, PlainSclabWithLoadAddressAndKernelLayout) {
  test::write_text(dir / "k", std::string(4064, 'k'));  // exactly fills one page with the SCLAB
  auto r = run_sipl(sign_args({"--sclab", "plain", "--detached", dir / "k.p7s", "-o", dir / "k.out", dir / "k"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(dir / "k.out"),
            std::string(4064, 'k') + std::string(24, '\0') + std::string("\x00\x00\x00\x20zIPL", 8));
  test::write_text(dir / "k2", std::string(100, 'k'));
  r = run_sipl(sign_args({"--sclab", "plain", "--load-addr", "10000", "-o", dir / "k2.out", dir / "k2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = test::read_text(dir / "k2.out");
  EXPECT_EQ(out.substr(4064, 32), std::string("\x00\x00\x40\x00\x00\x00\x00\x00", 8) + std::string(8, '\0') +
                                      std::string("\x00\x00\x00\x00\x00\x01\x00\x00", 8) +
                                      std::string("\x00\x00\x00\x20zIPL", 8));
}

TEST_F(SignCli, GlobalSclabPolicyFlagsAndExplicitLoadAddress) {
  test::write_text(dir / "c", std::string(512, 'g'));
  auto r = run_sipl(sign_args({"--sclab", "global", "--psw", "0x0008000080010000", "--load-addr", "0x10000", "--nuc",
                               "--single-component", "-o", dir / "out", dir / "c"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = test::read_text(dir / "out");
  // flags OPSW|OLA|NUC|SC = 0xF000, PSW, load address, locator.
  EXPECT_EQ(out.substr(4064, 32), std::string("\x00\x00\xf0\x00\x00\x00\x00\x00", 8) +
                                      std::string("\x00\x08\x00\x00\x80\x01\x00\x00", 8) +
                                      std::string("\x00\x00\x00\x00\x00\x01\x00\x00", 8) +
                                      std::string("\x00\x00\x00\x20zIPL", 8));
}

TEST_F(SignCli, UsageErrors) {
  test::write_text(dir / "c", std::string(512, 'u'));
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--sclab", "global", dir / "c"}, "--sclab global needs --psw (the load PSW of the IPL)"},
      {{"--psw", "0x1", dir / "c"}, "--psw, --load-addr, --nuc and --single-component need --sclab"},
      {{"--sclab", "plain", "--psw", "0x1", dir / "c"}, "--psw, --nuc and --single-component belong to --sclab global"},
      {{"--sclab", "global", "--psw", "0xZZ", dir / "c"},
       "--psw expects a 64-bit hex number like 0x0008000080010000, not '0xZZ'"},
      {{"--sclab", "plain", "--detached", dir / "c.p7s", dir / "c"},
       "--sclab with --detached needs -o OUT to write the component the signature covers"},
      {{"--detached", dir / "a.p7s", "--save-signature", dir / "b.p7s", dir / "c"},
       "--detached and --save-signature exclude each other (--detached writes only the signature; "
       "--save-signature appends it and also writes it)"},
  };
  for (const auto& [extra, msg] : cases) {
    auto r = run_sipl(sign_args(extra));
    EXPECT_EQ(r.exit_code, 2) << msg;
    EXPECT_EQ(r.err, "sipl: error: " + msg + "\n");
  }
  // Options with a fixed set of values are refused by the parser, which names the set.
  const std::pair<std::vector<std::string>, std::string> refused[] = {
      {{"--digest", "sha1", dir / "c"}, "--digest: sha1 not in {sha256,sha384,sha512}"},
      {{"--sclab", "fancy", dir / "c"}, "--sclab: fancy not in {global,plain}"},
  };
  for (const auto& [extra, msg] : refused) {
    auto r = run_sipl(sign_args(extra));
    EXPECT_EQ(r.exit_code, 2) << msg;
    EXPECT_EQ(r.err, "sipl: error: " + msg + "\nsipl: note: see sipl sign --help\n");
  }
  EXPECT_EQ(test::read_text(dir / "c"), std::string(512, 'u'));
}

TEST_F(SignCli, BadInputs) {
  test::write_text(dir / "empty", "");
  auto r = run_sipl(sign_args({dir / "empty"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "empty") +
                       ": there is nothing to sign: the component is empty (DIAG 0x508 rejects a 0-byte component)\n");
  // A trailer whose sig_len is larger than the file.
  test::write_text(dir / "bad", std::string("abc") + std::string("\0\0\x02\0\0\0\0\0\0\0\x10\0", 12) +
                                    "~Module signature appended~\n");
  r = run_sipl(sign_args({"--resign", dir / "bad"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "bad") +
                       ": byte 11: signature descriptor sig_len is 4096 but only 3 bytes precede the descriptor\n");
  const auto& other = test::openssl_key("ec:P-256");
  test::write_text(dir / "c", std::string(512, 'c'));
  r = run_sipl({"sign", "--key", other.key, "--cert", kp.cert, dir / "c"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + other.key + " and " + kp.cert +
                       ": the private key does not match the certificate's public key\n");
  auto j = test::run_sipl_json({"sign", "--json", "--key", other.key, "--cert", kp.cert, dir / "c"});
  EXPECT_EQ(j.run.exit_code, 3);
  EXPECT_EQ(j.json["error"]["id"], "sign.key_certificate_mismatch");
  r = run_sipl({"sign", "--key", kp.key, "--cert", dir / "c", dir / "c"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "sipl: error: " + (dir / "c") + ": ASN1 parser: Error in TAG.\n");
  r = run_sipl(sign_args({dir / "missing"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(test::read_text(dir / "c"), std::string(512, 'c'));
}

TEST_F(SignCli, WarnsWhenTheBiosWouldCheckMoreBytesThanWereSigned) {
  test::write_text(dir / "initrd", std::string(1000, 'i'));
  auto r = run_sipl(sign_args({dir / "initrd"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "sipl: warning: " + (dir / "initrd") +
                       ": the signed component is 1000 bytes, not a multiple of 512: the BIOS hands DIAG 0x508 whole "
                       "disk blocks (1024 bytes), so it will not verify at boot; pad it first or add a SCLAB with "
                       "--sclab (which pads to 4 KiB)\n");
}

TEST_F(SignCli, DryRunWritesNothing) {
  test::write_text(dir / "c", std::string(512, 'n'));
  auto r = test::run_sipl_json(sign_args({"--dry-run", "--json", "--detached", dir / "c.p7s", dir / "c"})).run;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sh("ls -A " + dir.path()).out, "c\n");
  EXPECT_EQ(test::read_text(dir / "c"), std::string(512, 'n'));
  EXPECT_TRUE(r.out.starts_with("{\n  \"schema_version\": 2,\n  \"file\": \"" + (dir / "c") +
                                "\",\n  \"output\": null,\n  \"detached\": \"" + (dir / "c.p7s") +
                                "\",\n  \"saved_signature\": null,\n  \"dry_run\": true,\n  \"digest\": \"sha256\",\n  \"signer_id\": "
                                "\"issuer_and_serial\",\n  \"key_algorithm\": \"RSA 2048\",\n  \"input_size\": 512,\n"))
      << r.out;
}

}  // namespace
}  // namespace sipl
