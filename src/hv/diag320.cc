// DIAG 0x320 handler: the order of checks is QEMU's (privilege, then facility/subcode/R1,
// then per-subcode alignment, accessibility and block contents), because a guest can tell
// them apart by which exception or return code it gets.
#include "sipl/hv/diag320.h"

#include <algorithm>
#include <array>

#include "sipl/base/reader.h"
#include "sipl/hv/diag320_layout.h"

namespace sipl::hv {
namespace {

namespace L = diag320;

Diag320Result exception(ProgramException e) {
  Diag320Result r;
  r.exception = e;
  return r;
}

Diag320Result completed(uint16_t rc) {
  Diag320Result r;
  r.rc = rc;
  return r;
}

// Subcode 0: QEMU stores only the first word of the 256-bit mask.
Diag320Result query_ism(GuestMemory& memory, uint64_t addr) {
  std::array<std::byte, L::kIsmStoredSize> word{};
  store_u32_be(word, 0, L::kIsmWord0);
  if (!memory.write(addr, word)) return exception(ProgramException::kAddressing);
  return completed(L::kRcOk);
}

// Subcode 1: reserved bytes go back as the guest left them, since QEMU reads the whole block
// and writes it back.
Diag320Result query_vcsi(const CertificateStore& store, GuestMemory& memory, uint64_t addr) {
  if (addr % L::vcssb::kAlign != 0) return exception(ProgramException::kSpecification);
  if (!memory.accessible(addr, L::vcssb::kSize)) return exception(ProgramException::kAddressing);
  std::array<std::byte, L::vcssb::kSize> block{};
  if (!memory.read(addr, block)) return exception(ProgramException::kAddressing);
  if (fixed_view(block, addr).u32_be<L::vcssb::kLength>() != L::vcssb::kValidLength)
    return completed(L::kRcInvalidVcssbLength);

  size_t write_len = L::vcssb::kSize;
  if (store.empty()) {
    store_u32_be(block, L::vcssb::kLength, L::vcssb::kEmptyStoreLength);
    write_len = L::vcssb::kEmptyStoreLength;
  } else {
    store_u8(block, L::vcssb::kVersion, 0);
    store_u16_be(block, L::vcssb::kTotalVcCount, static_cast<uint16_t>(store.count()));
    store_u16_be(block, L::vcssb::kMaxVcCount, static_cast<uint16_t>(kMaxCertificates));
    store_u32_be(block, L::vcssb::kMaxSingleVcbLength, static_cast<uint32_t>(store.max_single_vcb_len()));
    store_u32_be(block, L::vcssb::kTotalVcbLength, static_cast<uint32_t>(store.total_vcb_len()));
  }
  if (!memory.write(addr, ByteSpan(block).first(write_len)))
    return exception(ProgramException::kAddressing);
  return completed(L::kRcOk);
}

Finding invalid_vce_finding(const StoreEntry& entry, size_t index, UnixTime at, VceProblem problem) {
  const std::string which = "certificate " + std::to_string(index + 1) + " (" + entry.path + ")";
  Finding f;
  f.severity = Severity::kWarning;
  switch (problem) {
    case VceProblem::kNotYetValid:
      f.id = ids::kDiag320CertNotYetValid;
      f.message = which + " is not yet valid at " + format_time(at) + ": VCE marked invalid";
      break;
    case VceProblem::kExpired:
      f.id = ids::kDiag320CertExpired;
      f.message = which + " has expired at " + format_time(at) + ": VCE marked invalid";
      break;
    case VceProblem::kKeyUnreadable:
      f.id = ids::kDiag320CertKeyUnreadable;
      f.message = which + ": QEMU cannot read its public key (" + entry.cert.gnutls_key_problem() +
                  "): VCE marked invalid";
      break;
    case VceProblem::kTooLarge:
      f.id = ids::kDiag320CertTooLarge;
      f.message = which + " does not fit a VCE: VCE marked invalid";
      break;
  }
  f.params = {{"index", std::to_string(index + 1)},
              {"path", entry.path},
              {"not_before", format_time(entry.cert.not_before())},
              {"not_after", format_time(entry.cert.not_after())}};
  return f;
}

// Subcode 2. The VCEs are written before the header, as QEMU does, so a fault part-way leaves
// the earlier VCEs in guest memory and the header untouched.
Diag320Result store_vc(const CertificateStore& store, GuestMemory& memory, uint64_t addr,
                       UnixTime at) {
  if (addr % L::vcb::kAlign != 0) return exception(ProgramException::kSpecification);
  std::array<std::byte, L::vcb::kHeaderSize> header{};
  if (!memory.read(addr, header)) return exception(ProgramException::kAddressing);

  const auto h = fixed_view(header, addr);
  const uint32_t in_len = h.u32_be<L::vcb::kInLen>();
  const uint16_t first = h.u16_be<L::vcb::kFirstVcIndex>();
  const uint16_t last = h.u16_be<L::vcb::kLastVcIndex>();
  // in_len 0 passes QEMU's multiple-of-4096 test and then wraps its space computation; a
  // buffer that cannot hold the header is rejected here (docs/DECISIONS-diag320.md).
  if (in_len == 0 || in_len % L::vcb::kInLenGranule != 0) return completed(L::kRcInvalidVcbLength);
  if (first > last) return completed(L::kRcBadRange);

  Diag320Result result = completed(L::kRcOk);
  uint32_t out_len = L::vcb::kHeaderSize;
  uint16_t stored = 0;
  uint16_t remain = 0;
  const size_t start = first == 0 ? 0 : first - 1u;
  // first == last == 0 asks for the header only; a range reaching past the store too.
  if (last != 0 && start < store.count() && size_t{last} - 1 < store.count()) {
    uint64_t space = in_len - L::vcb::kHeaderSize;
    for (size_t i = start; i < last; ++i) {
      const StoreEntry& entry = store.entries()[i];
      Bytes vce = build_vce(entry, i, at);
      if (const auto problem = vce_problem(entry, at)) result.findings.push_back(invalid_vce_finding(entry, i, at, *problem));
      if (space < vce.size()) {
        remain = static_cast<uint16_t>(last - i);
        break;
      }
      if (!memory.write(addr + out_len, vce)) return exception(ProgramException::kAddressing);
      out_len += static_cast<uint32_t>(vce.size());
      space -= vce.size();
      ++stored;
    }
  }
  // Input fields are echoed; output fields are set afresh (QEMU increments whatever the guest
  // left in stored_ct, see the decisions file).
  store_u32_be(header, L::vcb::kOutLen, out_len);
  store_u16_be(header, L::vcb::kStoredCount, stored);
  store_u16_be(header, L::vcb::kRemainCount, remain);
  if (!memory.write(addr, header)) return exception(ProgramException::kAddressing);
  return result;
}

}  // namespace

const char* to_string(ProgramException e) {
  switch (e) {
    case ProgramException::kPrivilegedOperation: return "privileged-operation";
    case ProgramException::kSpecification: return "specification";
    case ProgramException::kAddressing: return "addressing";
  }
  return "unknown";
}

uint32_t full_vce_length(const StoreEntry& entry) {
  return static_cast<uint32_t>(kVceHeaderSize + kKeyIdLen + kHashLen +
                               round_up(entry.cert.der().size(), 4));
}

std::optional<VceProblem> vce_problem(const StoreEntry& entry, UnixTime at) {
  if (at < entry.cert.not_before()) return VceProblem::kNotYetValid;
  if (at > entry.cert.not_after()) return VceProblem::kExpired;
  if (!entry.cert.gnutls_key_problem().empty()) return VceProblem::kKeyUnreadable;
  if (entry.cert.der().size() > kCertBufMaxLen - kKeyIdLen - kHashLen) return VceProblem::kTooLarge;
  return std::nullopt;
}

Bytes build_vce(const StoreEntry& entry, size_t index, UnixTime at) {
  namespace V = L::vce;
  const Bytes& der = entry.cert.der();
  const auto problem = vce_problem(entry, at);
  Bytes vce(!problem ? full_vce_length(entry) : V::kInvalidLen);
  store_u32_be(vce, V::kLen, static_cast<uint32_t>(vce.size()));
  store_u16_be(vce, V::kCertIndex, static_cast<uint16_t>(index + 1));
  // The name is always 64 bytes in a store; pad defensively so a short one cannot shift fields.
  Bytes name = entry.name_ebcdic;
  name.resize(kNameLen, std::byte{0x40});
  store_bytes(vce, V::kName, name);
  // QEMU checks the validity window before it classifies the key, so an entry that fails the
  // time check carries key type 0 even for a P-521 key; so does one whose key it cannot read
  // (the classification is what fails).
  if (problem == VceProblem::kNotYetValid || problem == VceProblem::kExpired || problem == VceProblem::kKeyUnreadable)
    return vce;
  store_u8(vce, V::kKeyType, static_cast<uint8_t>(entry.cert.key_type()));
  if (problem) return vce;

  store_u8(vce, V::kFlags, V::kFlagValid);
  store_u8(vce, V::kFormat, V::kFormatX509Der);
  store_u16_be(vce, V::kKeyIdLenField, static_cast<uint16_t>(kKeyIdLen));
  store_u8(vce, V::kHashType, V::kHashTypeSha256);
  store_u16_be(vce, V::kHashLenField, static_cast<uint16_t>(kHashLen));
  store_u32_be(vce, V::kCertLen, static_cast<uint32_t>(der.size()));
  store_u16_be(vce, V::kHashOffset, V::kHashDataOffset);
  store_u16_be(vce, V::kCertOffset, V::kCertDataOffset);
  store_bytes(vce, V::kKeyIdData, entry.cert.key_id_sha256());
  store_bytes(vce, V::kHashDataOffset, entry.cert.fingerprint_sha256());
  store_bytes(vce, V::kCertDataOffset, der);
  return vce;
}

Diag320Result execute_diag320(const CertificateStore& store, GuestMemory& memory,
                              const Diag320Request& request) {
  if (request.cpu.problem_state) return exception(ProgramException::kPrivilegedOperation);
  if (!request.cpu.cstore || (request.subcode & ~L::kSubcodeMask) != 0 || (request.r1 & 1) != 0)
    return exception(ProgramException::kSpecification);
  switch (request.subcode) {
    case L::kSubcodeQueryIsm: return query_ism(memory, request.address);
    case L::kSubcodeQueryVcsi: return query_vcsi(store, memory, request.address);
    case L::kSubcodeStoreVc: return store_vc(store, memory, request.address, request.at);
    default: return completed(L::kRcNotSupported);
  }
}

}  // namespace sipl::hv
