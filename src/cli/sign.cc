// `sipl sign`: append a sign-file-compatible signature (optionally after a SCLAB).
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/pin_prompt.h"
#include "cli/verbs.h"
#include "sipl/image/sign_file.h"

namespace sipl::cli {
namespace {

struct SignOptions {
  std::string key, cert, digest = "sha256", detached, save_signature, output, file, sclab, psw, load_addr, at;
  bool key_id = false, resign = false, dry_run = false, json = false, nuc = false, single = false;
};

// Returns the value of a hex number written with or without 0x.
Result<uint64_t> parse_hex_u64(const std::string& opt, const std::string& text) {
  std::string_view s = text;
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return fail(ErrorCode::kUsage, fmt::format("{} expects a 64-bit hex number like 0x0008000080010000, not '{}'",
                                               opt, text));
  return v;
}

Result<int> run_sign(const SignOptions& o) {
  auto digest = crypto::parse_digest(o.digest);
  if (!digest) return fail(ErrorCode::kUsage, fmt::format("unknown digest '{}' (sha256, sha384 or sha512)", o.digest));
  auto at = resolve_at(o.at);
  if (!at) return tl::unexpected(at.error());
  image::SignFileRequest req;
  req.at = *at;
  req.file = o.file;
  req.key = o.key;
  req.access = token_access();
  req.cert = o.cert;
  req.cms = {*digest, o.key_id};
  req.resign = o.resign;
  req.sclab.kind = o.sclab == "global" ? image::SclabKind::kGlobal
                   : o.sclab == "plain" ? image::SclabKind::kPlain
                                        : image::SclabKind::kNone;
  if (!o.load_addr.empty()) {
    auto a = parse_hex_u64("--load-addr", o.load_addr);
    if (!a) return tl::unexpected(a.error());
    req.sclab.load_addr = *a;
  }
  if (!o.psw.empty()) {
    auto psw = parse_hex_u64("--psw", o.psw);
    if (!psw) return tl::unexpected(psw.error());
    req.sclab.psw = *psw;
  }
  req.sclab.nuc = o.nuc;
  req.sclab.single_component = o.single;
  req.output = o.output;
  req.detached = o.detached;
  req.save_signature = o.save_signature;
  req.dry_run = o.dry_run;
  auto r = image::sign_file(req);
  if (!r) return tl::unexpected(r.error());
  for (const auto& w : r->warnings) fmt::print(stderr, "sipl: warning: {}: {}\n", o.file, w.message);

  if (o.json) {
    auto j = json_document();
    j["file"] = r->file;
    j["output"] = string_or_null(r->output);
    j["detached"] = string_or_null(r->detached);
    j["saved_signature"] = string_or_null(r->saved_signature);
    j["dry_run"] = r->dry_run;
    j["digest"] = std::string(crypto::digest_name(r->cms.digest));
    j["signer_id"] = r->cms.use_key_id ? "subject_key_identifier" : "issuer_and_serial";
    j["key_algorithm"] = r->key_description;
    j["input_size"] = r->input_size;
    j["removed_signatures"] = r->removed_signatures;
    j["signed_size"] = r->signed_size;
    j["signature_size"] = r->signature_size;
    j["output_size"] = r->output_size ? Json(*r->output_size) : Json(nullptr);
    if (r->sclab) {
      j["sclab"] = {{"offset", r->sclab->offset},
                    {"flags", hex_field(r->sclab->flags, 16)},
                    {"load_psw", address(r->sclab->load_psw)},
                    {"load_addr", address(r->sclab->load_addr)}};
    } else {
      j["sclab"] = nullptr;
    }
    append_findings(j["findings"] = Json::array(), r->warnings);
    print_json(j);
  } else {
    const char* verb = o.dry_run ? "Would sign" : "Signed";
    fmt::print("{} {} ({} bytes{}{}) with {} / {}{}: {}-byte signature {}\n", verb, o.file, r->signed_size,
               r->sclab ? ", SCLAB added" : "",
               r->removed_signatures ? fmt::format(", {} old signature(s) removed", r->removed_signatures)
                                     : std::string(),
               r->key_description, crypto::digest_name(r->cms.digest), o.key_id ? " (key id)" : "",
               r->signature_size,
               !r->detached ? fmt::format("appended, {} written{}", *r->output,
                                          r->saved_signature ? fmt::format(", signature saved to {}", *r->saved_signature)
                                                             : std::string())
                            : fmt::format("written to {}{}", *r->detached,
                                          r->output ? fmt::format(", component to {}", *r->output) : std::string()));
  }
  return 0;
}

void setup(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<SignOptions>();
  auto* app = parent.add_subcommand("sign", "Append a kernel sign-file compatible signature to a boot component");
  app->add_option("--key", o->key,
                  "Private key: PEM file (passphrase from KBUILD_SIGN_PIN) or PKCS#11 URI pkcs11:... (PIN from "
                  "pin-value/pin-source, KBUILD_SIGN_PIN or a terminal prompt; module from module-path=)")
      ->type_name("FILE")
      ->required();
  app->add_option("--cert", o->cert, "Signer certificate: PEM or DER file, or PKCS#11 URI of a certificate object")
      ->type_name("FILE")
      ->required();
  app->add_option("--digest", o->digest, "Digest: sha256 (default), sha384, sha512")
      ->type_name("DIGEST")
      ->check(one_of(names_of(crypto::kDigests, crypto::digest_name)));
  app->add_flag("--key-id", o->key_id, "Name the signer by subjectKeyIdentifier (sign-file -k)");
  app->add_option("--detached", o->detached, "Write the DER signature here instead of appending it (sign-file -d)")
      ->type_name("FILE");
  app->add_option("--save-signature", o->save_signature,
                  "Append the signature and also write it (DER) here (sign-file -p)")
      ->type_name("FILE");
  app->add_option("-o,--output", o->output, "Write the signed file here (default: replace FILE in place)")
      ->type_name("FILE");
  app->add_flag("--resign", o->resign, "Replace an existing appended signature instead of refusing");
  app->add_option("--sclab", o->sclab, "Append a SCLAB before signing: global or plain")
      ->type_name("KIND")
      ->check(one_of({"global", "plain"}));
  app->add_option("--psw", o->psw, "Global SCLAB: load PSW (hex), must equal the EXEC entry's PSW")->type_name("HEX");
  app->add_option("--load-addr", o->load_addr, "SCLAB load address (hex), sets OLA")->type_name("HEX");
  app->add_flag("--nuc", o->nuc, "Global SCLAB: no unsigned components allowed (NUC)");
  app->add_flag("--single-component", o->single, "Global SCLAB: single component (SC)");
  app->add_option("--at", o->at,
                  "Warn when the signer certificate is not valid at TIME, when the guest will boot (a date, RFC "
                  "3339 or @unix; default now)")
      ->type_name("TIME");
  app->add_flag("--dry-run", o->dry_run, "Sign in memory and report, write nothing");
  app->add_flag("--json", o->json, "Print a JSON report");
  app->add_option("FILE", o->file, "Component to sign (kernel image, stage3.bin, ...)")->required();
  document(app, {
      .description =
          {"Signs a boot component (a kernel image, zipl's stage3.bin, an initrd) the way the Linux kernel's "
           "scripts/sign-file does: a detached CMS (PKCS#7) SignedData over the file, without certificates or "
           "signed attributes, appended to the file with sign-file's module-signature trailer and "
           "\"~Module signature appended~\" marker. For RSA keys the bytes equal sign-file's for the same key, "
           "certificate and digest. zipl turns such a file into a SIGNATURE entry and a component the BIOS "
           "verifies with DIAG 0x508.",
           "With `--sclab`, a Secure Code Loading Attributes Block is appended first and signed with the "
           "component: `global` for the component the IPL starts (it carries the load PSW and the NUC and SC "
           "flags), `plain` for any other (optionally with a load address).",
           "The file is replaced in place (keeping its mode) unless `-o` names another file.",
           "The key may stay on a PKCS#11 token (an HSM or smart card): give `--key` an RFC 7512 URI "
           "(`pkcs11:token=...;object=...`, the module as `module-path=` or $PKCS11_MODULE_PATH); the key never "
           "leaves the token, and `--cert` may name the token's certificate object the same way."},
      .notes = {"A file that already carries an appended signature is refused (exit 3) unless --resign."},
      .exit_status = {{0, "signed (or, with --dry-run, would be)"},
                      {2, "usage error: conflicting or missing options"},
                      {3, "unreadable key, certificate or file, a key that does not match the certificate, or a "
                          "file that is already signed"}},
      .json = {{"file", "the component signed"},
               {"output", "the file written (null with --detached and no -o)"},
               {"detached", "the detached signature file, or null"},
               {"saved_signature", "the --save-signature file, or null"},
               {"dry_run", "true when nothing was written"},
               {"digest", "sha256, sha384 or sha512"},
               {"signer_id", "issuer_and_serial, or subject_key_identifier with --key-id"},
               {"key_algorithm", "the key algorithm and size, e.g. \"RSA 4096\""},
               {"input_size", "bytes of FILE"},
               {"removed_signatures", "appended signatures removed first (--resign)"},
               {"signed_size", "bytes the signature covers"},
               {"signature_size", "bytes of the DER signature"},
               {"output_size", "bytes written to the output (null when none)"},
               {"sclab", "null, or offset (in the signed component), flags, load_psw and load_addr of the SCLAB "
                         "added"},
               {"findings[]", "warnings (e.g. a component that will not verify at boot): severity, id, message, "
                              "location, params"}},
      .examples = {{"sipl sign --key signing.key --cert signing.pem /boot/vmlinuz",
                    "Sign a kernel in place, as sign-file would"},
                   {"sipl sign --key k.key --cert k.pem --sclab global --psw 0x000800008000A000 \\\n"
                    "    -o stage3.signed stage3.bin",
                    "Sign zipl's stage 3 with a global SCLAB naming its load PSW"},
                   {"sipl sign --key 'pkcs11:token=build;object=boot?module-path=/usr/lib/softhsm/libsofthsm2.so' \\\n"
                    "    --cert boot.pem /boot/vmlinuz",
                    "Sign with a key that stays on a PKCS#11 token"}},
      .environment = {{"KBUILD_SIGN_PIN", "the passphrase of an encrypted private key, or the PIN of a PKCS#11 "
                                          "token when the URI gives none (as for sign-file)"},
                      {"PKCS11_MODULE_PATH", "the PKCS#11 module when the URI has no module-path (default: "
                                             "p11-kit-proxy)"}},
      .see_also = {"openssl-cms(1)"},
  });
  app->callback([o, &ctx] { run_verb(ctx, [o] { return run_sign(*o); }); });
}

SIPL_REGISTER_VERB(40, setup);

}  // namespace
}  // namespace sipl::cli
