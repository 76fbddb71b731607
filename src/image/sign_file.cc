#include "sipl/image/sign_file.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/crypto/pkcs11_uri.h"
#include "sipl/image/appended_signature.h"

namespace sipl::image {

Result<std::optional<SclabRequest>> sclab_request(const SclabOptions& o) {
  if (o.kind == SclabKind::kNone) {
    if (o.psw || o.load_addr || o.nuc || o.single_component)
      return fail(ErrorCode::kUsage, "--psw, --load-addr, --nuc and --single-component need --sclab");
    return std::optional<SclabRequest>{};
  }
  SclabRequest r;
  if (o.load_addr) {
    r.load_addr = *o.load_addr;
    r.flags |= kSclabFlagOla;
  }
  if (o.kind == SclabKind::kPlain) {
    if (o.psw || o.nuc || o.single_component)
      return fail(ErrorCode::kUsage, "--psw, --nuc and --single-component belong to --sclab global");
    return std::optional<SclabRequest>{r};
  }
  if (!o.psw) return fail(ErrorCode::kUsage, "--sclab global needs --psw (the load PSW of the IPL)");
  r.load_psw = *o.psw;
  // The BIOS requires OLA in the global SCLAB; without --load-addr the component is taken to
  // load where the PSW starts it (true of zipl's stage 3 and of the kernel image).
  r.flags |= kSclabFlagOpsw | kSclabFlagOla;
  if (!o.load_addr) r.load_addr = r.load_psw & 0x7FFFFFFF;
  if (o.nuc) r.flags |= kSclabFlagNuc;
  if (o.single_component) r.flags |= kSclabFlagSc;
  return std::optional<SclabRequest>{r};
}

Result<SignFileResult> sign_file(const SignFileRequest& o) {
  auto sclab = sclab_request(o.sclab);
  if (!sclab) return tl::unexpected(sclab.error());
  if (!o.detached.empty() && !o.save_signature.empty())
    return fail(ErrorCode::kUsage,
                "--detached and --save-signature exclude each other (--detached writes only the signature; "
                "--save-signature appends it and also writes it)");
  if (!o.detached.empty() && *sclab && o.output.empty())
    return fail(ErrorCode::kUsage, "--sclab with --detached needs -o OUT to write the component the signature covers");

  auto key = crypto::load_signing_key(o.key, o.access);
  if (!key) return tl::unexpected(key.error());
  auto cert = crypto::load_signer_certificate(o.cert, o.access);
  if (!cert) return tl::unexpected(cert.error());
  auto file = MappedFile::open(o.file);
  if (!file) return tl::unexpected(file.error());

  SignRequest req;
  req.at = o.at;
  req.cms = o.cms;
  req.resign = o.resign;
  req.sclab = *sclab;
  auto signed_ = sign_component(file->bytes(), o.file, *key, *cert, req);
  if (!signed_) {
    Error e = signed_.error();
    if (e.code == ErrorCode::kBadInput && e.where.path.empty())  // key/cert mismatch
      e.message = fmt::format("{} and {}: {}", crypto::without_pin(o.key), crypto::without_pin(o.cert), e.message);
    return tl::unexpected(e);
  }

  SignFileResult out;
  out.file = o.file;
  out.dry_run = o.dry_run;
  out.cms = o.cms;
  out.key_description = key->description();
  out.input_size = signed_->input_size;
  out.removed_signatures = signed_->removed_signatures;
  out.signed_size = signed_->component_size();
  out.signature_size = signed_->signature.size();
  out.warnings = signed_->warnings;
  if (signed_->sclab_added) {
    out.sclab = find_sclab(signed_->sclab_tail).sclab;
    out.sclab->offset += signed_->payload.size();
  }
  if (!o.detached.empty()) out.detached = o.detached;
  if (!o.save_signature.empty()) out.saved_signature = o.save_signature;

  const bool append = o.detached.empty();
  const std::string target = o.output.empty() ? o.file : o.output;
  const Bytes trailer = signature_trailer(static_cast<uint32_t>(signed_->signature.size()));
  const auto file_pieces = signed_->signed_file(trailer);
  const auto component_pieces = signed_->component();
  const std::span<const ByteSpan> pieces =
      append ? std::span<const ByteSpan>(file_pieces) : std::span<const ByteSpan>(component_pieces);
  const bool write_component = append || !o.output.empty();
  if (write_component) {
    out.output = target;
    uint64_t size = 0;
    for (ByteSpan p : pieces) size += p.size();
    out.output_size = size;
  }
  if (o.dry_run) return out;
  // sign-file -d / -p: the DER signature on its own, written before the signed file.
  const std::string& sig_path = o.detached.empty() ? o.save_signature : o.detached;
  if (!sig_path.empty())
    if (auto s = write_file_atomic(sig_path, signed_->signature); !s) return tl::unexpected(s.error());
  if (write_component) {
    unsigned mode = 0644;
    struct stat st {};
    if (o.output.empty() && ::stat(o.file.c_str(), &st) == 0) mode = st.st_mode & 07777;  // keep in place
    if (auto s = write_file_atomic(target, pieces, mode); !s) return tl::unexpected(s.error());
  }
  return out;
}

}  // namespace sipl::image
