// `sipl keygen`: a code-signing key (PEM PKCS#8, mode 0600) and a self-signed certificate
// (PEM) that both QEMU's boot-certs and the kernel's sign-file accept.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/pin_prompt.h"
#include "cli/verbs.h"
#include "sipl/base/file.h"
#include "sipl/crypto/pkcs11.h"
#include "sipl/crypto/pkcs11_uri.h"
#include "sipl/crypto/private_key.h"
#include "sipl/crypto/self_signed.h"

namespace sipl::cli {
namespace {

struct KeygenOptions {
  std::string type = "rsa2048", cn = "sipl secure IPL signing key", at, key, cert, pkcs11;
  uint32_t days = 3650;
  bool force = false, dry_run = false, json = false;
};

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Result<int> run_keygen(const KeygenOptions& o) {
  auto type = crypto::parse_key_type(o.type);
  if (!type) return fail(ErrorCode::kUsage, fmt::format("unknown key type '{}' (rsa2048, rsa4096, p256, p384, p521)", o.type));
  if (o.key.empty() == o.pkcs11.empty()) return fail(ErrorCode::kUsage, "give either --key FILE or --pkcs11 URI");
  if (o.key == o.cert) return fail(ErrorCode::kUsage, "--key and --cert must be different files");
  if (!o.cert.ends_with(".pem"))
    fmt::print(stderr, "sipl: warning: {}: QEMU's boot-certs only loads certificate files whose name ends in .pem\n",
               o.cert);
  auto at = resolve_at(o.at);
  if (!at) return tl::unexpected(at.error());
  if (!o.force) {
    for (const auto& p : {o.key, o.cert})
      if (!p.empty() && exists(p))
        return fail(ErrorCode::kBadInput, "already exists; refusing to overwrite it without --force", Location{p});
  }
  crypto::SelfSignedOptions cert_opts{o.cn, *at, o.days};
  std::string token_label;

  if (!o.pkcs11.empty()) {
    // The key pair is made on the token (and the certificate stored there too); only the
    // certificate is written here.
    if (auto uri = crypto::Pkcs11Uri::parse(o.pkcs11); !uri) return tl::unexpected(uri.error());
    if (!o.dry_run) {
      auto made = crypto::generate_token_key(o.pkcs11, *type, cert_opts, token_access());
      if (!made) return tl::unexpected(made.error());
      token_label = made->token_label;
      if (auto s = write_file_atomic(o.cert, as_bytes(made->certificate_pem), 0644); !s)
        return tl::unexpected(s.error());
    }
  } else if (!o.dry_run) {
    auto key = crypto::PrivateKey::generate(*type);
    if (!key) return tl::unexpected(key.error());
    auto cert_pem = crypto::make_self_signed_certificate(*key, cert_opts);
    if (!cert_pem) return tl::unexpected(cert_pem.error());
    auto key_pem = key->to_pkcs8_pem();
    if (!key_pem) return tl::unexpected(key_pem.error());
    if (auto s = write_file_atomic(o.key, as_bytes(*key_pem), 0600); !s) return tl::unexpected(s.error());
    if (auto s = write_file_atomic(o.cert, as_bytes(*cert_pem), 0644); !s) {
      ::unlink(o.key.c_str());  // a key without its certificate is of no use; leave nothing half-made
      return tl::unexpected(s.error());
    }
  }

  const UnixTime not_after = *at + static_cast<int64_t>(o.days) * 86400;
  if (o.json) {
    auto j = json_document();
    j["key"] = o.key.empty() ? crypto::without_pin(o.pkcs11) : o.key;
    j["cert"] = o.cert;
    j["type"] = std::string(crypto::key_type_name(*type));
    j["common_name"] = o.cn;
    j["not_before"] = format_time(*at);
    j["not_after"] = format_time(not_after);
    j["dry_run"] = o.dry_run;
    // The label of the token the key was made on (null: the key is the --key file).
    j["token"] = token_label.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(token_label);
    print_json(j);
  } else {
    std::string where = o.key;
    if (o.key.empty())
      where = fmt::format("on PKCS#11 token{} {}", token_label.empty() ? "" : " '" + token_label + "'",
                          crypto::without_pin(o.pkcs11));
    fmt::print("{} {} key {} and certificate {} (CN={}, valid {} to {})\n", o.dry_run ? "Would write" : "Wrote",
               crypto::key_type_name(*type), where, o.cert, o.cn, format_time(*at), format_time(not_after));
  }
  return 0;
}

void setup(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<KeygenOptions>();
  auto* app = parent.add_subcommand("keygen", "Make a code-signing key and self-signed certificate");
  app->add_option("--type", o->type, "Key type: rsa2048 (default), rsa4096, p256, p384, p521")
      ->type_name("TYPE")
      ->check(one_of(names_of(crypto::kKeyTypes, crypto::key_type_name)));
  app->add_option("--days", o->days, "Validity in days from --at (default 3650); expiry stops secure boots")
      ->type_name("DAYS")
      ->check(CLI::Range(1u, 36500u));
  app->add_option("--cn", o->cn, "Subject common name")->type_name("NAME");
  app->add_option("--at", o->at, "Start of validity (a date, RFC 3339 or @seconds; default now)")->type_name("TIME");
  auto* key = app->add_option("--key", o->key, "Output private key (PEM PKCS#8, mode 0600)")->type_name("FILE");
  app->add_option("--pkcs11", o->pkcs11,
                  "Make the key pair on a PKCS#11 token instead: URI with object=LABEL (and id=), PIN and module as "
                  "for sipl sign; the certificate is also stored on the token")
      ->type_name("URI")
      ->excludes(key);
  app->add_option("--cert", o->cert, "Output certificate (PEM, name ending in .pem)")->type_name("FILE")->required();
  app->add_flag("--force", o->force, "Overwrite existing files");
  app->add_flag("--dry-run", o->dry_run, "Check the options, write nothing");
  app->add_flag("--json", o->json, "Print a JSON report");
  document(app, {
      .description =
          {"Generates a private key and a self-signed X.509 certificate for it that both QEMU's boot-certs and "
           "the kernel's sign-file accept: a code-signing certificate (key usage digitalSignature, extended key "
           "usage codeSigning) with a subject key identifier. The key is written as unencrypted PEM PKCS#8 with "
           "mode 0600, the certificate as PEM.",
           "Put the certificate into the guest's boot-certs paths (see `sipl certs`) and sign boot components "
           "with the pair (see `sipl sign`). The guest only trusts it from its not-before time until it expires: "
           "an expired certificate stops a Secure-mode boot.",
           "With `--pkcs11 URI` the key pair is made on a PKCS#11 token (an HSM, a smart card, SoftHSM2) and never "
           "leaves it; the certificate is written to `--cert` and also stored on the token under the same label.",
           "Existing files are not overwritten without `--force`; a certificate name that does not end in .pem "
           "draws a warning: QEMU's boot-certs loads only files whose name ends in .pem."},
      .exit_status = {{0, "the key and certificate were written (or, with --dry-run, would be)"},
                      {2, "usage error"},
                      {3, "a file to write exists and --force was not given, or a file could not be written"}},
      .json = {{"key", "the private key file, or the PKCS#11 URI without its PIN"},
               {"cert", "the certificate file"},
               {"type", "the key type (rsa2048, rsa4096, p256, p384 or p521)"},
               {"common_name", "the subject CN"},
               {"not_before", "start of validity (RFC 3339)"},
               {"not_after", "end of validity (RFC 3339)"},
               {"token", "the label of the PKCS#11 token the key was made on (--pkcs11), or null"},
               {"dry_run", "true when nothing was written"}},
      .examples = {{"sipl keygen --type rsa4096 --cn 'Guest boot signing' --key signing.key --cert signing.pem",
                    "Make an RSA 4096 signing key and its certificate"},
                   {"sipl sign --key signing.key --cert signing.pem /boot/vmlinuz",
                    "Then sign a kernel with them"},
                   {"sipl keygen --pkcs11 'pkcs11:token=build;object=boot?module-path=/usr/lib/softhsm/libsofthsm2.so' "
                    "--cert boot.pem",
                    "Make the key on a PKCS#11 token; only the certificate is written"}},
      .environment = {{"KBUILD_SIGN_PIN", "with --pkcs11, the PIN of the token when the URI gives none"},
                      {"PKCS11_MODULE_PATH", "with --pkcs11, the PKCS#11 module when the URI has no module-path "
                                             "(default: p11-kit-proxy)"}},
      .see_also = {"openssl-req(1)"},
  });
  app->callback([o, &ctx] { run_verb(ctx, [o] { return run_keygen(*o); }); });
}

SIPL_REGISTER_VERB(38, setup);

}  // namespace
}  // namespace sipl::cli
