// The signing pipeline behind `sipl sign` (see sign.h); the CLI only reads and writes files.
#include <fmt/format.h>

#include "sipl/base/time.h"
#include "sipl/image/appended_signature.h"
#include "sipl/image/sclab.h"
#include "sipl/image/sign.h"

namespace sipl::image {

Result<SignedComponent> sign_component(ByteSpan data, const std::string& path, const crypto::PrivateKey& key,
                                       const crypto::Certificate& cert, const SignRequest& request) {
  SignedComponent out;
  out.input_size = data.size();

  ByteSpan payload = data;
  auto parsed = parse_appended_signature(data, path);
  if (!parsed) return tl::unexpected(parsed.error());
  if (*parsed) {
    if (!request.resign)
      return tl::unexpected(Error(
          ErrorCode::kBadInput,
          fmt::format("already carries an appended signature ({} bytes{}); refusing to sign it again",
                      (*parsed)->sig_len, (*parsed)->signed_twice ? ", and it is signed twice already" : ""),
          Location{path},
          "a second signature would cover the first one and the file would no longer verify (QEMU's docs "
          "warn against signing twice); use --resign to replace the old signature"));
    // Strip every layer, counting them; each pass removes at least 41 bytes.
    while (true) {
      auto p = parse_appended_signature(payload, path);
      if (!p) return tl::unexpected(p.error());
      if (!*p) break;
      payload = (*p)->payload;
      ++out.removed_signatures;
    }
  }
  if (payload.empty())
    return fail(ErrorCode::kBadInput,
                "there is nothing to sign: the component is empty (DIAG 0x508 rejects a 0-byte component)",
                Location{path});

  if (request.sclab) {
    auto existing = find_sclab(payload);
    if (existing.sclab)
      return fail(ErrorCode::kBadInput,
                  fmt::format("already ends in a SCLAB (flags 0x{:04x}, {} bytes at byte {}); sipl adds one only to "
                              "components that lack one",
                              existing.sclab->flags, existing.sclab->length, existing.sclab->offset),
                  Location{path});
    // append_sclab's layout, built for the tail only: zeros up to the 4 KiB boundary minus 32.
    const Bytes sclab = build_sclab(request.sclab->flags, request.sclab->load_psw, request.sclab->load_addr);
    const uint64_t total = round_up(payload.size() + sclab.size(), kSclabAlignment);
    out.sclab_tail.assign(total - sclab.size() - payload.size(), std::byte{0});
    out.sclab_tail.insert(out.sclab_tail.end(), sclab.begin(), sclab.end());
    out.sclab_added = true;
  }
  out.payload = payload;
  const uint64_t size = out.component_size();

  if (size > kMaxVerifiableComponent)
    out.warnings.push_back({Severity::kWarning, ids::kSignComponentTooLarge,
                            fmt::format("the signed component is {} bytes, more than the {} bytes DIAG 0x508 "
                                        "verifies: it will not verify at boot",
                                        size, kMaxVerifiableComponent),
                            {{"size", std::to_string(size)}}});
  if (size % kBiosBlockSize != 0)
    out.warnings.push_back({Severity::kWarning, ids::kSignNotBlockMultiple,
                            fmt::format("the signed component is {} bytes, not a multiple of {}: the BIOS hands "
                                        "DIAG 0x508 whole disk blocks ({} bytes), so it will not verify at boot; "
                                        "pad it first or add a SCLAB with --sclab (which pads to 4 KiB)",
                                        size, kBiosBlockSize,
                                        round_up(size, kBiosBlockSize)),
                            {{"size", std::to_string(size)}}});

  // GnuTLS checks the signer's validity when QEMU verifies (qcrypto_x509_verify_sig calls
  // gnutls_pkcs7_verify_direct, which checks the signer's times): an expired or not yet
  // valid certificate signs fine here and fails at every boot.
  if (request.at && !cert.valid_at(*request.at)) {
    const bool expired = *request.at > cert.not_after();
    out.warnings.push_back(
        {Severity::kWarning, expired ? ids::kSignSignerExpired : ids::kSignSignerNotYetValid,
         fmt::format("the signer certificate ({}) is {} at {} (valid {} to {}): QEMU's signature check fails while "
                     "it is, so the component will not verify at boot then",
                     cert.subject(), expired ? "expired" : "not yet valid", format_time(*request.at),
                     format_time(cert.not_before()), format_time(cert.not_after())),
         {{"not_before", format_time(cert.not_before())},
          {"not_after", format_time(cert.not_after())},
          {"at", format_time(*request.at)}}});
  }
  // QEMU's GnuTLS cannot read some keys OpenSSL signs with (an EC curve outside its set, explicit
  // parameters): the signature is made, and QEMU never verifies it.
  if (const std::string& problem = cert.gnutls_key_problem(); !problem.empty())
    out.warnings.push_back({Severity::kWarning, ids::kSignSignerKeyUnreadable,
                            fmt::format("the signer certificate's public key is one QEMU cannot read ({}): the "
                                        "component will never verify at boot",
                                        problem),
                            {}});
  auto sig = crypto::sign_detached_cms(out.component(), key, cert, request.cms);
  if (!sig) return tl::unexpected(sig.error());
  out.signature = std::move(*sig);
  return out;
}

}  // namespace sipl::image
