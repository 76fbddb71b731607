// `sipl keygen`: a code-signing key (PEM PKCS#8, mode 0600) and a self-signed certificate
// (PEM) that both QEMU's boot-certs and the kernel's sign-file accept.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/pin_prompt.h"
#include "cli/verbs.h"
#include "sipl/crypto/signing_key_files.h"

namespace sipl::cli {
namespace {

struct KeygenOptions {
  std::string type = "rsa2048", cn = "sipl secure IPL signing key", at, key, cert, pkcs11;
  uint32_t days = 3650;
  bool force = false, dry_run = false, json = false;
};

Result<int> run_keygen(const KeygenOptions& o) {
  auto type = crypto::parse_key_type(o.type);
  if (!type) return fail(ErrorCode::kUsage, fmt::format("unknown key type '{}' (rsa2048, rsa4096, p256, p384, p521)", o.type));
  auto at = resolve_at(o.at);
  if (!at) return tl::unexpected(at.error());
  crypto::KeyFilesRequest req;
  req.type = *type;
  req.common_name = o.cn;
  req.not_before = *at;
  req.days = o.days;
  req.key = o.key;
  req.pkcs11 = o.pkcs11;
  if (!o.pkcs11.empty()) req.access = token_access();
  req.cert = o.cert;
  req.force = o.force;
  req.dry_run = o.dry_run;
  auto r = crypto::write_signing_key_files(req);
  if (!r) return tl::unexpected(r.error());
  for (const auto& w : r->warnings) fmt::print(stderr, "sipl: warning: {}\n", w.message);
  if (o.json) {
    auto j = json_document();
    j["key"] = r->key;
    j["cert"] = r->cert;
    j["key_type"] = std::string(crypto::key_type_name(r->type));
    j["common_name"] = r->common_name;
    j["not_before"] = format_time(r->not_before);
    j["not_after"] = format_time(r->not_after);
    j["dry_run"] = r->dry_run;
    // The label of the token the key was made on (null: the key is the --key file).
    j["token"] = r->token.empty() ? Json(nullptr) : Json(r->token);
    append_findings(j["findings"] = Json::array(), r->warnings);
    print_json(j);
  } else {
    const std::string where = o.pkcs11.empty() ? r->key
                                               : fmt::format("on PKCS#11 token{} {}",
                                                             r->token.empty() ? "" : " '" + r->token + "'", r->key);
    fmt::print("{} {} key {} and certificate {} (CN={}, valid {} to {})\n", r->dry_run ? "Would write" : "Wrote",
               crypto::key_type_name(r->type), where, r->cert, r->common_name, format_time(r->not_before),
               format_time(r->not_after));
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
                      {3, "a file to write exists and --force was not given, the token already holds a key with that label/id, "
                          "or a file could not be written"}},
      .json = {{"key", "the private key file, or the PKCS#11 URI without its PIN"},
               {"cert", "the certificate file"},
               {"key_type", "the key type (rsa2048, rsa4096, p256, p384 or p521)"},
               {"common_name", "the subject CN"},
               {"not_before", "start of validity (RFC 3339)"},
               {"not_after", "end of validity (RFC 3339)"},
               {"dry_run", "true when nothing was written"},
               {"token", "the label of the PKCS#11 token the key was made on (--pkcs11), or null"},
               {"findings[]", "warnings (a certificate name QEMU would not load): severity, id, message, location, "
                              "params"}},
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
