#include "sipl/crypto/signing_key_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include "sipl/base/diagnostic_ids.h"
#include "sipl/base/file.h"
#include "sipl/crypto/pkcs11_uri.h"
#include "sipl/crypto/self_signed.h"

namespace sipl::crypto {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Result<KeyFiles> write_signing_key_files(const KeyFilesRequest& r) {
  if (r.key.empty() == r.pkcs11.empty()) return fail(ErrorCode::kUsage, "give either --key FILE or --pkcs11 URI");
  if (r.key == r.cert) return fail(ErrorCode::kUsage, "--key and --cert must be different files");
  KeyFiles out{r.key.empty() ? without_pin(r.pkcs11) : r.key,
               r.cert,
               r.type,
               r.common_name,
               r.not_before,
               r.not_before + static_cast<int64_t>(r.days) * 86400,
               r.dry_run,
               {},
               {}};
  if (!r.cert.ends_with(".pem"))
    out.warnings.push_back({Severity::kWarning, ids::kKeygenNotPemName,
                            r.cert + ": QEMU's boot-certs only loads certificate files whose name ends in .pem",
                            {{"path", r.cert}}});
  if (!r.force)
    for (const auto& p : {r.key, r.cert})
      if (!p.empty() && exists(p))
        return fail(ids::kKeygenOutputExists, ErrorCode::kBadInput,
                    "already exists; refusing to overwrite it without --force", Location{p});
  const SelfSignedOptions cert_options{r.common_name, r.not_before, r.days};
  if (!r.pkcs11.empty()) {
    if (auto uri = Pkcs11Uri::parse(r.pkcs11); !uri) return tl::unexpected(uri.error());
    if (r.dry_run) return out;
    // The key pair (and a copy of the certificate) is made on the token; only the certificate
    // is written here.
    auto made = generate_token_key(r.pkcs11, r.type, cert_options, r.access);
    if (!made) return tl::unexpected(made.error());
    out.token = made->token_label;
    if (auto s = write_file_atomic(r.cert, as_bytes(made->certificate_pem), 0644); !s) return tl::unexpected(s.error());
    return out;
  }
  if (r.dry_run) return out;
  auto key = PrivateKey::generate(r.type);
  if (!key) return tl::unexpected(key.error());
  auto cert_pem = make_self_signed_certificate(*key, cert_options);
  if (!cert_pem) return tl::unexpected(cert_pem.error());
  auto key_pem = key->to_pkcs8_pem();
  if (!key_pem) return tl::unexpected(key_pem.error());
  if (auto s = write_file_atomic(r.key, as_bytes(*key_pem), 0600); !s) return tl::unexpected(s.error());
  if (auto s = write_file_atomic(r.cert, as_bytes(*cert_pem), 0644); !s) {
    ::unlink(r.key.c_str());  // a key without its certificate is of no use; leave nothing half-made
    return tl::unexpected(s.error());
  }
  return out;
}

}  // namespace sipl::crypto
