// `sipl verify`: would the guest's certificate store verify this signed component, exactly as
// QEMU's DIAG 0x508 decides (signer info #0, store order, first success, time and key usage)?
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "cli/verify_report.h"
#include "sipl/fw/verify_component.h"

namespace sipl::cli {
namespace {

struct VerifyOptions {
  std::string file, signature, at;
  std::vector<std::string> cert_paths, boot_certs;
  unsigned block_size = 0;
  bool json = false;
};

Result<int> run_verify(const VerifyOptions& o) {
  if (!o.cert_paths.empty() && !o.boot_certs.empty())
    return fail(ErrorCode::kUsage, "give the certificate paths either as arguments or with --boot-certs, not both "
                                   "(their order is the store order)");
  const auto& paths = o.boot_certs.empty() ? o.cert_paths : o.boot_certs;
  if (paths.empty()) return fail(ErrorCode::kUsage, "no certificate paths: name the boot-certs files or directories");
  auto loaded = load_store(o.at, paths);
  if (!loaded) return tl::unexpected(loaded.error());
  fw::VerifyRequest req{o.file, std::nullopt, loaded->at, o.block_size};
  if (!o.signature.empty()) req.signature = o.signature;
  auto v = fw::verify_component(loaded->store, req);
  if (!v) return tl::unexpected(v.error());
  if (v->input_error) return tl::unexpected(*v->input_error);  // bad input, not a verdict (exit 3)
  print_report({*v, loaded->store, loaded->warnings}, o.json);
  return v->verified() ? 0 : 1;
}

void setup(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<VerifyOptions>();
  auto* app = parent.add_subcommand(
      "verify", "Check that the guest's certificate store verifies a signed component as QEMU's DIAG 0x508 does");
  app->add_flag("--json", o->json, "Print a JSON report");
  app->add_option("--at", o->at, "Check certificate validity at TIME (RFC 3339 or @SECONDS; default: now)")
      ->type_name("TIME");
  app->add_option("--signature", o->signature, "Detached DER PKCS#7 signature (default: the file's appended one)")
      ->type_name("FILE");
  app->add_option("--boot-certs", o->boot_certs, "A boot-certs path (file or directory; repeat, in order)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  app->add_option("--block-size", o->block_size, "Disk block size: warn when the payload is not a multiple")
      ->type_name("BYTES")
      ->check(one_of({"512", "4096"}));
  app->add_option("FILE", o->file, "Signed component (kernel image, stage3.bin, ...)")->required();
  app->add_option("CERT-PATH", o->cert_paths, "boot-certs paths in store order (as for QEMU's boot-certs.N.path)");
  document(app, {
      .description =
          {"Decides, as QEMU's DIAG 0x508 does when the s390-ccw BIOS asks it during a secure IPL, whether the "
           "guest's certificate store verifies a signed component: DIAG 0x508's own length checks first, then "
           "signer info #0 of the signature against each certificate in store order, the first success winning, "
           "with the certificate's validity at the `--at` time and its key usage checked.",
           "The store is built from the boot-certs paths (CERT-PATH arguments or `--boot-certs` options, not "
           "both) exactly as `sipl certs` shows it. The signature is the one appended to FILE (sign-file's "
           "format), or a detached DER file given with `--signature`, in which case the whole of FILE is the "
           "component. Each certificate's outcome is listed, so a negative verdict says why."},
      .notes = {"Store indices: 1-based as `sipl certs` and DIAG 0x320 show them (in text and JSON); the SVB of DIAG "
                "0x508 carries them 0-based."},
      .exit_status = {{0, "verified"},
                      {1, "not verified (no signature, no certificate verifies it, DIAG 0x508 refuses the lengths)"},
                      {2, "usage error"},
                      {3, "unreadable or malformed input (a malformed signature trailer, an unreadable store path): "
                          "an error, not a report"}},
      .json = {{"file", "the component file"},
               {"signature_source", "appended, detached, or null when there is none"},
               {"signature_file", "the --signature file, or null"},
               {"at", "the time validity was checked at (RFC 3339)"},
               {"verified", "true or false: the verdict"},
               {"store_index", "1-based store index of the certificate that verified (DIAG 0x508's "
                               "cert_store_index + 1), or null"},
               {"certificate", "null, or the verifying certificate: path, subject, issuer, serial, key_algorithm, "
                               "not_before, not_after, der_size"},
               {"diag508_rc", "the return code DIAG 0x508 gives, e.g. \"0x0001\" (null when it would not run)"},
               {"payload_size", "bytes the signature covers"},
               {"signature_size", "bytes of the DER signature"},
               {"signature", "null, or what signer info #0 says: signer_count, signer_id (issuer_and_serial or "
                             "subject_key_identifier), serial, subject_key_id, key_algorithm, digest, "
                             "signed_attributes, embedded_content, embedded_certificates"},
               {"candidates[]", "one per store certificate tried: store_index (1-based), path, status (verified, "
                                "not_tried, wrong_key, expired, ...), message"},
               {"findings[]", "severity, id, message, location and params of each finding"}},
      .examples = {{"sipl verify /boot/vmlinuz /etc/pki/s390/boot-certs",
                    "Check that a signed kernel verifies with the store a guest gets"},
                   {"sipl verify --json --at 2027-01-01T00:00:00Z --signature stage3.p7s stage3.bin \\\n"
                    "    certs/ signing.pem",
                    "Check a detached signature as of 1 January 2027, as JSON"}},
      .see_also = {"openssl-cms(1)"},
  });
  app->callback([o, &ctx] { run_verb(ctx, [o] { return run_verify(*o); }); });
}

SIPL_REGISTER_VERB(45, setup);

}  // namespace
}  // namespace sipl::cli
