// `sipl diag`'s calls: guest memory set up as the BIOS sets it up before each DIAG.
#include "sipl/hv/diag_call.h"

#include <algorithm>

#include "sipl/base/file.h"
#include "sipl/base/reader.h"
#include "sipl/hv/diag320_layout.h"

namespace sipl::hv {
namespace {

namespace L = diag320;

// Detached signatures larger than this are refused before reading: DIAG 0x508 takes 4 KiB.
constexpr uint64_t kMaxSignatureFile = 1 << 20;

// The guest's block before DIAG 0x320, and how much guest memory backs it.
struct GuestSetup {
  Bytes block;           // initial contents at kDiagBlockAddress
  uint64_t backing = 0;  // bytes of guest memory from kDiagBlockAddress on
};

GuestSetup set_up_block(uint64_t subcode, uint32_t in_len, uint16_t first, uint16_t last) {
  GuestSetup g;
  switch (subcode) {
    case L::kSubcodeQueryIsm: g.block.assign(L::kIsmSize, std::byte{0}); break;
    case L::kSubcodeQueryVcsi: g.block = vcssb_request(); break;
    case L::kSubcodeStoreVc:
      g.block = VcbRequest{in_len, first, last}.encode();
      // No store fills more than kMaxVcbOutLen, so a larger in_len needs no more memory.
      g.backing = round_up(std::max<uint64_t>(std::min<uint64_t>(in_len, L::kMaxVcbOutLen), L::vcb::kInLenGranule),
                           L::vcb::kInLenGranule);
      break;
    default: break;  // unsupported subcodes read no block
  }
  g.backing = std::max<uint64_t>(g.backing, round_up(std::max<size_t>(g.block.size(), 1), 4096));
  return g;
}

}  // namespace

uint32_t default_vcb_in_len(const CertificateStore& store, uint16_t first, uint16_t last) {
  uint64_t need = L::vcb::kHeaderSize;
  const size_t start = first == 0 ? 0 : first - 1u;
  if (last != 0 && start < store.count() && size_t{last} - 1 < store.count())
    for (size_t i = start; i < last; ++i) need += full_vce_length(store.entries()[i]);
  return static_cast<uint32_t>(round_up(need, L::vcb::kInLenGranule));
}

Result<Diag320Outcome> call_diag320(const CertificateStore& store, const Diag320Call& call) {
  Diag320Outcome out;
  out.subcode = call.subcode;
  out.first = call.first.value_or(store.empty() ? 0 : 1);
  out.last = call.last.value_or(static_cast<uint16_t>(store.count()));
  if (call.subcode == L::kSubcodeStoreVc) out.in_len = call.in_len.value_or(default_vcb_in_len(store, out.first, out.last));
  const GuestSetup g = set_up_block(call.subcode, out.in_len.value_or(0), out.first, out.last);
  FlatGuestMemory mem(kDiagBlockAddress + g.backing);
  if (!mem.write(kDiagBlockAddress, g.block))
    return fail(ErrorCode::kInternal, "guest block does not fit the guest memory set up for it");

  Diag320Request req;
  req.r1 = 0;  // the BIOS uses GR0/GR1
  req.address = kDiagBlockAddress;
  req.subcode = call.subcode;
  req.at = call.at;
  out.result = execute_diag320(store, mem, req);
  if (out.result.exception || g.block.empty()) return out;

  // What the guest reads back: the whole ISM/VCSSB, or the VCB up to out_len.
  ByteSpan all = mem.bytes().subspan(kDiagBlockAddress);
  uint64_t len = g.block.size();
  if (call.subcode == L::kSubcodeStoreVc && out.result.ok()) {
    auto out_len = Reader(all, "guest memory", kDiagBlockAddress).u32_be_at(L::vcb::kOutLen, "VCB out_len");
    if (!out_len) return tl::unexpected(out_len.error());
    len = std::clamp<uint64_t>(*out_len, L::vcb::kHeaderSize, all.size());
  }
  out.block.assign(all.begin(), all.begin() + static_cast<ptrdiff_t>(len));
  if (!out.result.ok()) return out;
  switch (call.subcode) {
    case L::kSubcodeQueryIsm: {
      auto f = decode_ism(out.block, "guest memory", kDiagBlockAddress);
      if (!f) return fail(ErrorCode::kInternal, "ISM read back does not decode: " + f.error().to_string());
      out.ism = *f;
      break;
    }
    case L::kSubcodeQueryVcsi: {
      auto f = decode_vcssb(out.block, "guest memory", kDiagBlockAddress);
      if (!f) return fail(ErrorCode::kInternal, "VCSSB read back does not decode: " + f.error().to_string());
      out.vcssb = *f;
      break;
    }
    case L::kSubcodeStoreVc: {
      auto f = decode_vcb(out.block, "guest memory", kDiagBlockAddress);
      if (!f) return fail(ErrorCode::kInternal, "VCB read back does not decode: " + f.error().to_string());
      out.vcb = std::move(*f);
      break;
    }
    default: break;
  }
  return out;
}

std::optional<size_t> Diag508Outcome::verifying_index() const {
  if (!result.ok() || subcode != diag508::kSubcodeSignatureVerification) return std::nullopt;
  return svb.cert_store_index;
}

Result<Diag508Outcome> call_diag508(const CertificateStore& store, const Diag508Call& call) {
  namespace D = diag508;
  auto comp = MappedFile::open(call.component);
  if (!comp) return tl::unexpected(comp.error());
  auto sig = read_file(call.signature, kMaxSignatureFile);
  if (!sig) return tl::unexpected(sig.error());
  Diag508Outcome out;
  out.subcode = call.subcode;
  out.component_length = comp->bytes().size();
  out.signature_length = sig->size();
  // Over-long inputs are not loaded: QEMU's length checks answer before reading them.
  const bool load_comp = out.component_length <= D::kMaxComponentLength;
  const bool load_sig = out.signature_length <= D::kMaxSignatureLength;
  const uint64_t sig_addr = round_up(kDiag508ComponentAddress + (load_comp ? out.component_length : 0), 4096);
  FlatGuestMemory mem(sig_addr + (load_sig ? round_up(out.signature_length, 4096) : 0) + 4096);
  // The memory is sized to hold both, so a failed write is a bug here, not bad input.
  const auto internal = [] { return fail(ErrorCode::kInternal, "DIAG 0x508 call: guest memory too small for its inputs"); };
  if (load_comp && !mem.write(kDiag508ComponentAddress, comp->bytes())) return internal();
  if (load_sig && !mem.write(sig_addr, *sig)) return internal();
  D::Svb svb;
  svb.comp_len = out.component_length;
  svb.comp_addr = kDiag508ComponentAddress;
  svb.sig_len = out.signature_length;
  svb.sig_addr = sig_addr;
  if (!mem.write(kDiagBlockAddress, svb.encode())) return internal();

  Diag508Request req;
  req.r1 = 0;  // the BIOS uses GR0/GR1
  req.address = kDiagBlockAddress;
  req.subcode = call.subcode;
  req.at = call.at;
  out.result = execute_diag508(store, mem, req);
  out.svb_bytes.resize(D::svb::kSize);
  if (!mem.read(kDiagBlockAddress, out.svb_bytes)) return internal();
  out.svb = *D::Svb::decode(out.svb_bytes);
  return out;
}

}  // namespace sipl::hv
