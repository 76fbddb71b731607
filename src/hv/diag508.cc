#include "sipl/hv/diag508.h"

#include <array>
#include <vector>

#include <fmt/format.h>

#include "sipl/base/bytes.h"
#include "sipl/hv/diag508_layout.h"

namespace sipl::hv {
namespace {

// handle_diag508_sig_verif: the return code of a verification request whose SVB is accessible.
uint16_t verify(const CertificateStore& store, GuestMemory& memory, uint64_t addr, UnixTime at, Diag508Result& out) {
  using namespace diag508;
  // QEMU reads and writes guest memory with cpu_physical_memory_read/write, which do not
  // fault; the caller checked that the SVB is accessible, so a failed access here means the
  // memory changed under the call, reported rather than ignored.
  auto gone = [&out] {
    out.findings.push_back(make_finding(Severity::kWarning, ids::kDiag508NotInGuestMemory,
                                        "DIAG 0x508: the SVB is no longer in guest memory"));
    return kRcVerificationFailed;
  };
  std::array<std::byte, svb::kSize> block{};
  if (!store.empty() && !memory.read(addr, block)) return gone();
  auto svb = Svb::decode(block);  // 64 bytes: cannot fail
  if (auto rc = precheck_verification(store.count(), *svb, &out.findings)) return *rc;
  const uint64_t comp_len = svb->comp_len, comp_addr = svb->comp_addr, sig_len = svb->sig_len, sig_addr = svb->sig_addr;

  // The signature (at most 4 KiB) is copied; the component (up to 256 MiB) is hashed straight
  // from guest memory, piece by piece, once for all candidate certificates.
  Bytes sig(static_cast<size_t>(sig_len));
  if (!memory.accessible(comp_addr, comp_len) || !memory.read(sig_addr, sig)) {
    // QEMU reads with cpu_physical_memory_read, which does not fault; what it reads outside
    // RAM cannot verify. sipl reports it instead of inventing bytes (docs/DECISIONS-verify.md).
    out.findings.push_back(make_finding(Severity::kWarning, ids::kDiag508NotInGuestMemory,
                                   "DIAG 0x508: the component or signature is not (wholly) in guest memory"));
    return kRcVerificationFailed;
  }

  std::vector<const crypto::Certificate*> certs;
  for (const auto& e : store.entries()) certs.push_back(&e.cert);
  const crypto::ContentSource component = [&](const std::function<void(ByteSpan)>& sink) -> Status {
    if (!memory.visit(comp_addr, comp_len, sink)) {
      if (const auto& e = memory.host_error())  // the disk range behind it cannot be read any more
        return fail(e->code, "DIAG 0x508: the component cannot be read: " + e->to_string(), e->where);
      return fail(ErrorCode::kInternal, "DIAG 0x508: component left guest memory while being read");
    }
    return {};
  };
  auto verdict = crypto::verify_detached(sig, component, certs, at);
  if (!verdict) {
    out.findings.push_back(make_finding(Severity::kWarning, ids::kDiag508NotInGuestMemory, verdict.error().message));
    return kRcVerificationFailed;
  }
  out.verdict = std::move(*verdict);
  if (!out.verdict->verified) return kRcVerificationFailed;

  // QEMU writes the whole SVB back: the fields it read, with the two outputs set.
  const size_t index = *out.verdict->index;
  svb->cert_store_index = static_cast<uint8_t>(index);
  svb->cert_len = store.entries()[index].cert.der().size();
  svb->encode_into(block);
  if (!memory.write(addr, block)) return gone();
  return kRcOk;
}

}  // namespace

std::optional<uint16_t> precheck_verification(size_t store_count, const diag508::Svb& svb, Findings* findings) {
  using namespace diag508;
  auto refuse = [&](uint16_t rc, const char* id, std::string why) {
    findings->push_back(make_finding(Severity::kError, id, fmt::format("{}: DIAG 0x508 returns 0x{:04x}", why, rc)));
    return rc;
  };
  if (store_count == 0)
    return refuse(kRcNoCertificates, ids::kDiag508NoCertificates, "the certificate store is empty and nothing verifies");
  if (svb.length != svb::kSize)
    return refuse(kRcInvalidLength, ids::kDiag508InvalidSvbLength,
                  fmt::format("the SVB length field is {}, not {}", svb.length, svb::kSize));
  if (svb.comp_len > kMaxComponentLength)
    findings->push_back(make_finding(Severity::kWarning, ids::kDiag508ComponentTooLong,
                                     fmt::format("DIAG 0x508: component length {} exceeds current maximum {}",
                                                 svb.comp_len, kMaxComponentLength)));
  if (svb.comp_len == 0 || svb.comp_len > kMaxComponentLength)
    return refuse(kRcInvalidComponent, ids::kDiag508ComponentLength,
                  fmt::format("the component is {} bytes; DIAG 0x508 takes 1 to {}", svb.comp_len, kMaxComponentLength));
  if (svb.comp_addr == 0)
    return refuse(kRcInvalidComponent, ids::kDiag508ComponentAddress, "the component address is 0");
  if (svb.sig_len > kMaxSignatureLength)
    findings->push_back(make_finding(Severity::kWarning, ids::kDiag508SignatureTooLong,
                                     fmt::format("DIAG 0x508: signature length {} exceeds current maximum {}",
                                                 svb.sig_len, kMaxSignatureLength)));
  if (svb.sig_len == 0 || svb.sig_len > kMaxSignatureLength)
    return refuse(kRcInvalidSignature, ids::kDiag508SignatureLength,
                  fmt::format("the signature is {} bytes; DIAG 0x508 takes 1 to {}", svb.sig_len, kMaxSignatureLength));
  if (svb.sig_addr == 0)
    return refuse(kRcInvalidSignature, ids::kDiag508SignatureAddress, "the signature address is 0");
  return std::nullopt;
}

Diag508Result execute_diag508(const CertificateStore& store, GuestMemory& memory, const Diag508Request& req) {
  using namespace diag508;
  Diag508Result out;
  if (req.problem_state) {
    out.exception = ProgramException::kPrivilegedOperation;
    return out;
  }
  if ((req.subcode & ~kSubcodeMask) != 0 || (req.r1 & 1) != 0) {
    out.exception = ProgramException::kSpecification;
    return out;
  }
  switch (req.subcode) {
    case kSubcodeQuery:
      out.rc = kRcQueryMask;  // the R1 address is ignored
      return out;
    case kSubcodeSignatureVerification:
      if (!memory.accessible(req.address, svb::kSize)) {
        out.exception = ProgramException::kAddressing;
        return out;
      }
      out.rc = verify(store, memory, req.address, req.at, out);
      return out;
    default:
      out.exception = ProgramException::kSpecification;
      return out;
  }
}

}  // namespace sipl::hv
