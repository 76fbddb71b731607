// `sipl verify`: would the guest's certificate store verify this signed component, exactly as
// QEMU's DIAG 0x508 decides (signer info #0, store order, first success, time and key usage)?
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/doc.h"
#include "cli/verbs.h"
#include "cli/verify_report.h"
#include "sipl/base/file.h"
#include "sipl/hv/certificate_store.h"
#include "sipl/hv/diag508_layout.h"
#include "sipl/image/appended_signature.h"

namespace sipl::cli {
namespace {

struct VerifyOptions {
  std::string file, signature, at;
  std::vector<std::string> cert_paths, boot_certs;
  unsigned block_size = 0;
  bool json = false;
};

// Detached signatures larger than this are refused before reading: DIAG 0x508 takes 4 KiB.
constexpr uint64_t kMaxSignatureFile = 1 << 20;

// Returns a source feeding the first `size` bytes of `path` through read() in 1 MiB pieces:
// hashing from a small buffer was twice as fast as from a file mapping on the build host
// (docs/PERFORMANCE-verify.md).
crypto::ContentSource read_prefix(const std::string& path, uint64_t size) {
  return [path, size](const std::function<void(ByteSpan)>& sink) -> Status {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorCode::kIo, fmt::format("cannot open: {}", std::strerror(errno)), Location(path));
    Bytes buf(1 << 20);
    uint64_t done = 0;
    while (done < size) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done));
      ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n < 0 ? errno : 0;
        ::close(fd);
        return fail(ErrorCode::kIo, err ? fmt::format("cannot read: {}", std::strerror(err)) : "file shrank while reading",
                    Location::at_offset(path, done));
      }
      sink(ByteSpan(buf).first(static_cast<size_t>(n)));
      done += static_cast<uint64_t>(n);
    }
    ::close(fd);
    return {};
  };
}

Result<int> run_verify(const VerifyOptions& o) {
  if (!o.cert_paths.empty() && !o.boot_certs.empty())
    return fail(ErrorCode::kUsage, "give the certificate paths either as arguments or with --boot-certs, not both "
                                   "(their order is the store order)");
  const auto& paths = o.boot_certs.empty() ? o.cert_paths : o.boot_certs;
  if (paths.empty()) return fail(ErrorCode::kUsage, "no certificate paths: name the boot-certs files or directories");
  auto loaded = load_store(o.at, paths);
  if (!loaded) return tl::unexpected(loaded.error());
  const UnixTime at = loaded->at;
  const hv::CertificateStore& store = loaded->store;

  VerifyReport rep;
  rep.file = o.file;
  rep.at = at;
  rep.store_warnings = loaded->warnings;
  rep.store = &store;

  auto file = MappedFile::open(o.file);
  if (!file) return tl::unexpected(file.error());
  ByteSpan payload, sig;
  Bytes detached;
  auto appended = image::parse_appended_signature(file->bytes(), o.file);
  if (!o.signature.empty()) {
    auto s = read_file(o.signature, kMaxSignatureFile);
    if (!s) return tl::unexpected(s.error());
    detached = std::move(*s);
    sig = detached;
    payload = file->bytes();
    rep.signature_source = o.signature;
    if (appended && *appended)
      rep.findings.push_back(make_finding(Severity::kWarning, "verify.also_appended",
                                     fmt::format("{} also ends in an appended signature; with --signature the whole file is "
                                                 "the component", o.file)));
  } else {
    if (!appended) {
      // A malformed trailer is malformed input: report it like the other findings, exit 3.
      rep.findings.push_back(make_finding(Severity::kError, "verify.malformed_trailer", appended.error().to_string()));
      rep.exit_code = exit_code_for(appended.error().code);
      print_report(rep, o.json);
      return rep.exit_code;
    }
    if (!*appended) {
      rep.findings.push_back(make_finding(Severity::kError, "verify.no_signature",
                                     fmt::format("{} carries no appended signature (no \"~Module signature appended~\" "
                                                 "marker at its end); sign it or pass --signature FILE.p7s", o.file)));
      rep.exit_code = 1;
      print_report(rep, o.json);
      return 1;
    }
    payload = (*appended)->payload;
    sig = (*appended)->signature;
    rep.signature_source = "appended";
    if ((*appended)->signed_twice)
      rep.findings.push_back(make_finding(Severity::kWarning, "verify.signed_twice",
                                     "the file was signed twice: the outer signature covers the inner one, so the "
                                     "component the boot loader verifies is not the original file; strip both "
                                     "signatures and sign once"));
  }
  rep.payload_size = payload.size();
  rep.signature_size = sig.size();

  if (o.block_size != 0 && payload.size() % o.block_size != 0) {
    uint64_t padded = (payload.size() / o.block_size + 1) * o.block_size;
    rep.findings.push_back(make_finding(
        Severity::kWarning, "verify.not_block_multiple",
        fmt::format("the signed payload is {} bytes, not a multiple of the {}-byte disk block: the BIOS hands DIAG "
                    "0x508 the length in whole blocks ({} bytes), so it will not verify on a real boot; pad the "
                    "file to a block multiple before signing",
                    payload.size(), o.block_size, padded)));
  }

  // DIAG 0x508's own checks, in its order, before any certificate is tried.
  using namespace hv::diag508;
  if (store.empty()) {
    rep.diag508_rc = kRcNoCertificates;
    rep.findings.push_back(make_finding(Severity::kError, "verify.no_certificates",
                                   "the certificate store is empty: DIAG 0x508 returns 0x0102 and nothing verifies"));
  } else if (payload.empty() || payload.size() > kMaxComponentLength) {
    rep.diag508_rc = kRcInvalidComponent;
    rep.findings.push_back(make_finding(Severity::kError, "verify.component_length",
                                   fmt::format("the component is {} bytes; DIAG 0x508 takes 1 to {} bytes (rc 0x0202)",
                                               payload.size(), kMaxComponentLength)));
  } else if (sig.empty() || sig.size() > kMaxSignatureLength) {
    rep.diag508_rc = kRcInvalidSignature;
    rep.findings.push_back(make_finding(Severity::kError, "verify.signature_length",
                                   fmt::format("the signature is {} bytes; DIAG 0x508 takes 1 to {} bytes (rc 0x0302)",
                                               sig.size(), kMaxSignatureLength)));
  } else {
    std::vector<const crypto::Certificate*> certs;
    for (const auto& e : store.entries()) certs.push_back(&e.cert);
    auto verdict = crypto::verify_detached(sig, read_prefix(o.file, payload.size()), certs, at);
    if (!verdict) return tl::unexpected(verdict.error());
    rep.verdict = std::move(*verdict);
    for (const auto& f : rep.verdict->findings) rep.findings.push_back(f);
    rep.diag508_rc = rep.verdict->verified ? kRcOk : kRcVerificationFailed;
  }
  rep.exit_code = rep.verdict && rep.verdict->verified ? 0 : 1;
  print_report(rep, o.json);
  return rep.exit_code;
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
      .notes = {"Store indices: 1-based as `sipl certs` and DIAG 0x320 show them; DIAG 0x508 reports them 0-based."},
      .exit_status = {{0, "verified"},
                      {1, "not verified (no signature, no certificate verifies it, DIAG 0x508 refuses the lengths)"},
                      {2, "usage error"},
                      {3, "unreadable or malformed input (a malformed signature trailer, an unreadable store path)"}},
      .json = {{"file", "the component file"},
               {"signature_source", "\"appended\" or the --signature file (null when there is none)"},
               {"at", "the time validity was checked at (RFC 3339)"},
               {"verified", "true or false: the verdict"},
               {"store_index", "0-based index (DIAG 0x508's cert_store_index) of the certificate that verified, "
                               "or null"},
               {"store_number", "the same, 1-based as `sipl certs` numbers the store, or null"},
               {"certificate", "null, or the verifying certificate: path, subject, issuer, serial, key, "
                               "not_before, not_after, der_size"},
               {"diag508_rc", "the return code DIAG 0x508 gives, e.g. \"0x0001\" (null when it would not run)"},
               {"payload_size", "bytes the signature covers"},
               {"signature_size", "bytes of the DER signature"},
               {"signature", "null, or what signer info #0 says: signer_count, signer_id, signer_serial, "
                             "signer_key_id, key_algorithm, digest, signed_attributes, embedded_content, "
                             "embedded_certificates"},
               {"candidates[]", "one per store certificate tried: store_index (0-based), store_number (1-based), "
                                "path, status, message"},
               {"findings[]", "id, severity and message of each finding"}},
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
