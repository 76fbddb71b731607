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
  if (store.empty()) return kRcNoCertificates;  // before the block is even read

  std::array<std::byte, svb::kSize> block{};
  memory.read(addr, block);  // accessibility was checked by the caller
  if (load_u32_be(block, svb::kLength) != svb::kSize) return kRcInvalidLength;

  uint64_t comp_len = load_u64_be(block, svb::kCompLen);
  uint64_t comp_addr = load_u64_be(block, svb::kCompAddr);
  uint64_t sig_len = load_u64_be(block, svb::kSigLen);
  uint64_t sig_addr = load_u64_be(block, svb::kSigAddr);
  if (comp_len > kMaxComponentLength)
    out.findings.push_back(make_finding(Severity::kWarning, "diag508.component_too_long",
                                   fmt::format("DIAG 0x508: component length {} exceeds current maximum {}", comp_len, kMaxComponentLength)));
  if (comp_len == 0 || comp_addr == 0 || comp_len > kMaxComponentLength) return kRcInvalidComponent;
  if (sig_len > kMaxSignatureLength)
    out.findings.push_back(make_finding(Severity::kWarning, "diag508.signature_too_long",
                                   fmt::format("DIAG 0x508: signature length {} exceeds current maximum {}", sig_len, kMaxSignatureLength)));
  if (sig_len == 0 || sig_addr == 0 || sig_len > kMaxSignatureLength) return kRcInvalidSignature;

  // The signature (at most 4 KiB) is copied; the component (up to 256 MiB) is hashed straight
  // from guest memory, piece by piece, once for all candidate certificates.
  Bytes sig(static_cast<size_t>(sig_len));
  if (!memory.accessible(comp_addr, comp_len) || !memory.read(sig_addr, sig)) {
    // QEMU reads with cpu_physical_memory_read, which does not fault; what it reads outside
    // RAM cannot verify. sipl reports it instead of inventing bytes (docs/DECISIONS-verify.md).
    out.findings.push_back(make_finding(Severity::kWarning, "diag508.not_in_guest_memory",
                                   "DIAG 0x508: the component or signature is not (wholly) in guest memory"));
    return kRcVerificationFailed;
  }

  std::vector<const crypto::Certificate*> certs;
  for (const auto& e : store.entries()) certs.push_back(&e.cert);
  const crypto::ContentSource component = [&](const std::function<void(ByteSpan)>& sink) -> Status {
    if (!memory.visit(comp_addr, comp_len, sink))
      return fail(ErrorCode::kInternal, "DIAG 0x508: component left guest memory while being read");
    return {};
  };
  auto verdict = crypto::verify_detached(sig, component, certs, at);
  if (!verdict) {
    out.findings.push_back(make_finding(Severity::kWarning, "diag508.not_in_guest_memory", verdict.error().message));
    return kRcVerificationFailed;
  }
  out.verdict = std::move(*verdict);
  if (!out.verdict->verified) return kRcVerificationFailed;

  size_t index = *out.verdict->index;
  store_u8(block, svb::kCertStoreIndex, static_cast<uint8_t>(index));
  store_u64_be(block, svb::kCertLen, store.entries()[index].cert.der().size());
  memory.write(addr, block);
  return kRcOk;
}

}  // namespace

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
