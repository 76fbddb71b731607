// sipl certs: the certificate store exactly as the guest will see it through DIAG 0x320.
#include <cstdio>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/store_report.h"

namespace sipl::cli {
namespace {

struct CertsOptions {
  std::vector<std::string> paths;
  bool json = false;
  bool strict = false;
  std::string at;
};

Result<int> run_certs(const CertsOptions& o) {
  auto loaded = load_store(o.at, o.paths);
  if (!loaded) return tl::unexpected(loaded.error());
  const UnixTime at = loaded->at;
  const hv::CertificateStore& store = loaded->store;
  const Findings& warnings = loaded->warnings;
  const hv::StoreReport rep = hv::report_store(store, at);

  if (o.json) {
    auto doc = json_document();
    doc["at"] = format_time(at);
    auto& arr = doc["certificates"] = Json::array();
    for (size_t i = 0; i < store.count(); ++i) {
      const auto& e = store.entries()[i];
      const auto& c = e.cert;
      Json j;
      j["store_index"] = i + 1;
      j["path"] = e.path;
      j["source_dir"] = nonempty_or_null(e.source_dir);
      j["name"] = e.name;
      j["name_ebcdic_hex"] = to_hex(e.name_ebcdic);
      j["subject"] = c.subject();
      j["issuer"] = c.issuer();
      j["serial"] = c.serial_hex();
      j["vce_key_type"] = static_cast<int>(c.key_type());
      j["key_algorithm"] = c.key_description();
      j["key_id"] = to_hex(c.key_id_sha256());
      j["fingerprint_sha256"] = to_hex(c.fingerprint_sha256());
      j["der_size"] = c.der().size();
      j["pem_size"] = e.pem_size;
      j["data_size"] = e.data_size();
      j["not_before"] = format_time(c.not_before());
      j["not_after"] = format_time(c.not_after());
      j["valid_at"] = bool(rep.valid_at[i]);
      j["vce_valid"] = bool(rep.vce_valid[i]);
      arr.push_back(std::move(j));
    }
    doc["totals"] = {{"count", store.count()},
                     {"max_count", hv::kMaxCertificates},
                     {"largest_cert_size", store.largest_cert_size()},
                     {"total_bytes", store.total_bytes()},
                     {"max_single_vcb_len", rep.max_single_vcb_len},
                     {"total_vcb_len", rep.total_vcb_len}};
    doc["mode"] = {{"secure_boot_off", hv::to_string(rep.mode_secure_boot_off)},
                   {"secure_boot_on", hv::to_string(rep.mode_secure_boot_on)}};
    auto& fs = doc["findings"] = Json::array();
    append_findings(fs, warnings);
    append_findings(fs, rep.notes);
    print_json(doc);
  } else {
    std::string out;
    out += fmt::format("Certificate store: {} of {} certificates (validity checked at {})\n", store.count(),
                       hv::kMaxCertificates, format_time(at));
    for (size_t i = 0; i < store.count(); ++i) {
      const auto& e = store.entries()[i];
      const auto& c = e.cert;
      out += fmt::format("\n[{}] {}\n", i + 1, e.path);
      out += fmt::format("    name:        {} (64 bytes EBCDIC, blank-padded)\n", e.name);
      out += fmt::format("    subject:     {}\n", c.subject());
      out += fmt::format("    issuer:      {}\n", c.issuer());
      out += fmt::format("    serial:      {}\n", c.serial_hex());
      out += fmt::format("    key:         {} (VCE key type {})\n", c.key_description(), static_cast<int>(c.key_type()));
      out += fmt::format("    key id:      {}\n", to_hex(c.key_id_sha256()));
      out += fmt::format("    sha256:      {}\n", to_hex(c.fingerprint_sha256()));
      out += fmt::format("    DER size:    {} bytes (VCE data {} bytes)\n", c.der().size(), e.data_size());
      out += fmt::format("    not before:  {}\n", format_time(c.not_before()));
      out += fmt::format("    not after:   {}\n", format_time(c.not_after()));
      out += fmt::format("    valid at:    {}\n", rep.valid_at[i] ? "yes" : "NO (the guest gets an invalid entry)");
      if (rep.valid_at[i] && !c.gnutls_key_problem().empty())
        out += fmt::format("    key read:    NO, QEMU cannot read it: {} (the guest gets an invalid entry)\n",
                           c.gnutls_key_problem());
    }
    out += fmt::format("\nDIAG 0x320 totals: {} certificates, largest data size {}, total VCB length {}, "
                       "largest single-certificate VCB {}\n",
                       store.count(), store.largest_cert_size(), rep.total_vcb_len, rep.max_single_vcb_len);
    out += fmt::format("Mode with secure-boot=off: {}\n", hv::describe(rep.mode_secure_boot_off));
    out += fmt::format("Mode with secure-boot=on:  {}\n", hv::describe(rep.mode_secure_boot_on));
    std::fwrite(out.data(), 1, out.size(), stdout);
    for (const auto& n : rep.notes)
      fmt::print(stderr, "sipl: {}: {}\n", n.severity == Severity::kInfo ? "note" : "warning", n.message);
  }
  return o.strict && rep.has_invalid() ? 1 : 0;
}

void setup(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CertsOptions>();
  auto* sub = app.add_subcommand("certs", "Show the certificate store the guest will see (QEMU boot-certs)");
  sub->add_option("PATH", o->paths, "Certificate files (.pem) and directories, as given to boot-certs.N.path")
      ->required();
  sub->add_flag("--json", o->json, "Print one JSON document (schema_version 2)");
  sub->add_option("--at", o->at, "Check validity at TIME (a date, RFC 3339 or @unix; default now)")->type_name("TIME");
  sub->add_flag("--strict", o->strict,
                "Exit 1 when the guest would get a certificate marked invalid (not valid at --at time, or a key "
                "QEMU cannot read)");
  document(sub, {
      .description =
          {"Builds the certificate store exactly as QEMU does from the `boot-certs.N.path` machine options, in "
           "the same order: each PATH is a certificate file (PEM, name ending in .pem) or a directory whose .pem "
           "files are read in directory order, unsorted, as QEMU reads them. It prints each certificate as the "
           "guest receives it through DIAG 0x320 (its 64-byte EBCDIC name, key type, key id, validity), the "
           "totals the guest's storage-size query reports, and the IPL mode the store means with secure-boot off "
           "and on.",
           "Where QEMU would print a warning or refuse a path, sipl prints the same message. A certificate that is not valid at the `--at` time still "
           "enters the store, marked invalid: it verifies nothing. So does one whose public key QEMU's GnuTLS "
           "cannot read (an EC key on a curve other than P-192, P-224, P-256, P-384 and P-521, or with explicit "
           "curve parameters)."},
      .exit_status = {{0, "the store was built"},
                      {1, "with --strict: the guest would get a certificate marked invalid (not valid at the --at "
                          "time, or a key QEMU cannot read)"},
                      {2, "usage error"},
                      {3, "QEMU would refuse the paths (its message is printed)"}},
      .json = {{"at", "the time validity was checked at (RFC 3339)"},
               {"certificates[]", "one object per store entry in store order: store_index (1-based), path, "
                                  "source_dir (null for a file given directly), name, name_ebcdic_hex, subject, issuer, "
                                  "serial, vce_key_type (the VCE key type), key_algorithm, key_id, fingerprint_sha256, "
                                  "der_size, pem_size, data_size, not_before, not_after, valid_at (inside its validity window at "
                                  "--at), vce_valid (the guest receives a valid VCE: valid_at, and a key QEMU can read)"},
               {"totals", "count, max_count, largest_cert_size, total_bytes, max_single_vcb_len, total_vcb_len: "
                          "the figures DIAG 0x320 reports"},
               {"mode", "secure_boot_off and secure_boot_on: the IPL mode (normal, audit, secure or invalid) either "
                        "setting gives with this store"},
               {"findings[]", "the warnings QEMU would print while building the store, then notes on directory "
                              "read order and warnings for certificates the guest receives marked invalid: severity, id, message, "
                              "location, params"}},
      .examples = {{"sipl certs /etc/pki/s390/boot-certs ~/keys/signer.pem",
                    "Show the store QEMU builds from a directory and a file, in that order"},
                   {"sipl certs --json --at 2027-01-01T00:00:00Z /etc/pki/s390/boot-certs",
                    "Check as JSON whether the certificates are still valid on 1 January 2027"}},
      .see_also = {"qemu-system-s390x(1)", "openssl-x509(1)"},
  });
  sub->callback([o, &ctx] { run_verb(ctx, [&] { return run_certs(*o); }); });
}

SIPL_REGISTER_VERB(10, setup);

}  // namespace
}  // namespace sipl::cli
