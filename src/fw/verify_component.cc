#include "sipl/fw/verify_component.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "sipl/base/file.h"
#include "sipl/hv/diag508.h"
#include "sipl/hv/diag508_layout.h"
#include "sipl/image/appended_signature.h"

namespace sipl::fw {
namespace {

// Detached signatures larger than this are refused before reading: DIAG 0x508 takes 4 KiB.
constexpr uint64_t kMaxSignatureFile = 1 << 20;
// Where the SVB says the component and signature lie: any non-zero address (the BIOS's own
// addresses play no part in the verdict).
constexpr uint64_t kSomewhere = 0x10000;

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

}  // namespace

Result<ComponentVerification> verify_component(const hv::CertificateStore& store, const VerifyRequest& request) {
  ComponentVerification v;
  v.file = request.file;
  v.at = request.at;

  auto file = MappedFile::open(request.file);
  if (!file) return tl::unexpected(file.error());
  ByteSpan payload, sig;
  Bytes detached;
  auto appended = image::parse_appended_signature(file->bytes(), request.file);
  if (request.signature) {
    auto s = read_file(*request.signature, kMaxSignatureFile);
    if (!s) return tl::unexpected(s.error());
    detached = std::move(*s);
    sig = detached;
    payload = file->bytes();
    v.signature_source = SignatureSource::kDetached;
    v.signature_file = *request.signature;
    if (appended && *appended)
      v.findings.push_back(make_finding(Severity::kWarning, ids::kVerifyAlsoAppended,
                                        fmt::format("{} also ends in an appended signature; with --signature the whole "
                                                    "file is the component",
                                                    request.file)));
  } else {
    if (!appended) {
      // A malformed trailer is malformed input: a finding like the others, exit 3.
      v.findings.push_back(make_finding(Severity::kError, ids::kVerifyMalformedTrailer, appended.error().to_string()));
      v.input_error = appended.error();
      return v;
    }
    if (!*appended) {
      v.findings.push_back(make_finding(Severity::kError, ids::kVerifyNoSignature,
                                        fmt::format("{} carries no appended signature (no \"~Module signature "
                                                    "appended~\" marker at its end); sign it or pass --signature "
                                                    "FILE.p7s",
                                                    request.file)));
      return v;
    }
    payload = (*appended)->payload;
    sig = (*appended)->signature;
    v.signature_source = SignatureSource::kAppended;
    if ((*appended)->signed_twice)
      v.findings.push_back(make_finding(Severity::kWarning, ids::kVerifySignedTwice,
                                        "the file was signed twice: the outer signature covers the inner one, so the "
                                        "component the boot loader verifies is not the original file; strip both "
                                        "signatures and sign once"));
  }
  v.payload_size = payload.size();
  v.signature_size = sig.size();

  if (request.block_size != 0 && payload.size() % request.block_size != 0) {
    const uint64_t padded = round_up(payload.size(), request.block_size);
    v.findings.push_back(make_finding(
        Severity::kWarning, ids::kVerifyNotBlockMultiple,
        fmt::format("the signed payload is {} bytes, not a multiple of the {}-byte disk block: the BIOS hands DIAG "
                    "0x508 the length in whole blocks ({} bytes), so it will not verify on a real boot; pad the "
                    "file to a block multiple before signing",
                    payload.size(), request.block_size, padded)));
  }

  hv::diag508::Svb svb;
  svb.comp_len = payload.size();
  svb.comp_addr = kSomewhere;
  svb.sig_len = sig.size();
  svb.sig_addr = kSomewhere;
  if (auto rc = hv::precheck_verification(store.count(), svb, &v.findings)) {
    v.diag508_rc = *rc;
    return v;
  }
  std::vector<const crypto::Certificate*> certs;
  for (const auto& e : store.entries()) certs.push_back(&e.cert);
  auto verdict = crypto::verify_detached(sig, read_prefix(request.file, payload.size()), certs, request.at);
  if (!verdict) return tl::unexpected(verdict.error());
  v.verdict = std::move(*verdict);
  for (const auto& f : v.verdict->findings) v.findings.push_back(f);
  v.diag508_rc = v.verdict->verified ? hv::diag508::kRcOk : hv::diag508::kRcVerificationFailed;
  return v;
}

}  // namespace sipl::fw
