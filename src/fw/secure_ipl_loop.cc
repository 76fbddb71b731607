// zipl_run_secure (QEMU pc-bios/s390-ccw/secure-ipl.c zipl_run_secure): the Audit/Secure component
// loop, the SCLAB checks of each signed component and the global checks once the EXEC entry is
// reached.
#include <array>

#include <fmt/format.h>

#include "fw/secure_ipl_internal.h"
#include "sipl/base/reader.h"
#include "sipl/fw/iirb_layout.h"
#include "sipl/image/sclab_decode.h"
#include "sipl/image/zipl_layout.h"
#include "sipl/hv/diag508.h"
#include "sipl/hv/diag508_layout.h"
#include "sipl/hv/diag508_svb.h"

namespace sipl::fw::detail {
namespace {

namespace ib = iirb;

struct LoopState {
  std::optional<const Component*> pending_signature;
  bool signed_found = false;
  bool sclab_found = false;
  std::optional<image::Sclab> global_sclab;
  std::vector<std::optional<size_t>> cert_list_of_store;  // store index → cert-list index
};

// comp_list_add(): false after the 127-entry panic.
bool add_component(Bios& b, const ComponentReport& c) {
  if (b.out.components.size() > ib::kMaxComponents - 1) {
    b.print(fmt::format("Warning: only {} component entries are supported", ib::kMaxComponents));
    b.panic("The device component list has reached its maximum capacity");
    return false;
  }
  b.out.components.push_back(c);
  return true;
}

// Reads the SCLAB the BIOS would read: through the locator in the last 8 bytes of the
// component as loaded in guest memory (a locator length beyond the component reaches into
// the memory before it, as the BIOS does; see docs/DECISIONS-boot.md).
std::optional<image::Sclab> sclab_in_memory(Bios& b, const ComponentReport& c, uint16_t len) {
  std::array<std::byte, image::kSclabFormat0Size> raw{};
  const uint64_t start = c.address + c.length - len;
  if (!b.memory.read(start, raw)) return std::nullopt;
  image::Sclab s = image::decode_sclab(fixed_view(raw, start));
  s.offset = start - c.address;
  s.length = len;
  return s;
}

// Runs the per-component SCLAB checks; false when the component's bytes cannot be read from
// the disk any more (an I/O error: the real BIOS's read would have failed the device).
bool check_sclab(Bios& b, LoopState& st, ComponentReport& c) {
  b.validate(c.length >= image::kSclabLocatorSize, &c.cei, ib::kCeiInvalidSclab,
             "Signed component too short to contain SCLAB locator");
  if (c.cei & ib::kCeiInvalidSclab) return true;
  // The locator's length is a u16, so the SCLAB lies in the last 64 KiB: read only those
  // (from the loaded guest memory, where the BIOS reads it).
  const uint64_t reach = std::min<uint64_t>(c.length, image::kSclabMaxReach);
  Bytes end(static_cast<size_t>(reach));
  if (!b.memory.read(c.address + c.length - reach, end)) {  // load_entry loaded it there
    b.read_failed(fmt::format("the end of the component at {:#x} cannot be read from the disk", c.address));
    return false;
  }
  const auto parse = image::find_sclab(end, c.length);
  const bool magic = !(parse.absent && (*parse.absent == image::SclabAbsence::kNoMagic ||
                                        *parse.absent == image::SclabAbsence::kTooShort));
  b.validate(magic, &c.cei, ib::kCeiInvalidSclab, "Magic does not match. SCLAB does not exist");
  if (c.cei & ib::kCeiInvalidSclab) return true;
  // find_sclab found the magic, so `end` holds the 8-byte locator.
  auto locator = Reader(end, "guest memory", c.address + c.length - reach)
                     .fixed_at<image::kSclabLocatorSize>(end.size() - image::kSclabLocatorSize, "SCLAB locator");
  if (!locator) return true;
  const uint16_t len = image::decode_sclab_locator(*locator).length;
  b.validate(len >= image::kSclabFormat0Size, &c.cei, ib::kCeiInvalidSclabLen | ib::kCeiInvalidSclab,
             "Invalid SCLAB length");
  if (c.cei & ib::kCeiInvalidSclab) return true;
  std::optional<image::Sclab> sclab = parse.sclab;
  if (!sclab) {
    sclab = sclab_in_memory(b, c, len);
    b.note(ids::kBootSclabOutsideComponent,
           fmt::format("the SCLAB locator of the component at {:#x} gives length {} > component length {}; "
                       "the BIOS reads the SCLAB from the memory before the component",
                       c.address, len, c.length));
    if (!sclab) return true;
  }
  const image::Sclab& s = *sclab;
  b.validate(s.format == 0, &c.cei, ib::kCeiInvalidSclabFormat, "Format-0 SCLAB is not being used");
  if (!(s.flags & image::kSclabFlagOpsw)) {
    b.validate(s.load_psw == 0, &c.cei, ib::kCeiLoadPswNotZero, "Load PSW is not zero when Override PSW bit is zero");
  } else {
    if (st.global_sclab) {
      b.out.iiei |= ib::kIieiMoreGlobalSclab;
      b.error("More than one global SCLAB");
    }
    st.global_sclab = s;
    b.validate((s.flags & image::kSclabFlagOla) != 0, &c.cei, ib::kCeiOlaNotOne,
               "OLA flag is not set to one in the global SCLAB");
  }
  if (!(s.flags & image::kSclabFlagOla)) {
    b.validate(s.load_addr == 0, &c.cei, ib::kCeiLoadAddrNotZero, "Load Address is not zero when OLA flag is zero");
  } else {
    b.validate(s.load_addr == c.address, &c.cei, ib::kCeiUnmatchedSclabLoadAddr,
               "Load Address does not match with component load address");
  }
  const bool global = s.flags & image::kSclabFlagOpsw;
  b.validate(!(s.flags & image::kSclabFlagNuc) || global, &c.cei, ib::kCeiNucNotInGlobalSclab,
             "NUC bit is set, but not in the global SCLAB");
  b.validate(!(s.flags & image::kSclabFlagSc) || global, &c.cei, ib::kCeiScNotInGlobalSclab,
             "SC bit is set, but not in the global SCLAB");
  return true;
}

// DIAG 0x508 signature verification of the loaded component; the 0-based store index of the
// certificate that verified, or nullopt.
std::optional<size_t> verify_signature(Bios& b, const ComponentReport& c, const Component& sig) {
  const auto L = b.out.layout;
  // The BIOS reads the signature entry's blocks into its buffer; DIAG 0x508 reads the first
  // sig_len of them, which the walk already cut out (nothing reads the padding after them).
  if (sig.signature && !b.put(L.signature, sig.signature->bytes)) return std::nullopt;
  hv::diag508::Svb svb;
  svb.comp_len = c.length;
  svb.comp_addr = c.address;
  svb.sig_len = sig.signature ? sig.signature->length : 0;
  svb.sig_addr = L.signature;
  if (!b.put(L.svb, svb.encode())) return std::nullopt;
  hv::Diag508Request req;
  req.address = L.svb;
  req.subcode = hv::diag508::kSubcodeSignatureVerification;
  req.at = b.at;
  auto r = hv::execute_diag508(b.machine.store(), b.memory, req);
  for (auto& f : r.findings) b.out.notes.push_back(f);
  if (!r.ok()) {
    b.note(ids::kBootVerifyFailed, fmt::format("DIAG 0x508 for the component at {:#x} ({} bytes): {}", c.address,
                                             c.length,
                                             r.exception ? std::string("program exception ") + hv::to_string(*r.exception)
                                                         : fmt::format("rc {:#06x}", r.rc)));
    return std::nullopt;
  }
  std::array<std::byte, hv::diag508::svb::kSize> block{};
  if (!b.get(L.svb, block)) return std::nullopt;
  return hv::diag508::Svb::decode(block)->cert_store_index;
}

// Returns what a LOAD entry of a zipl-written program is, by its address: zipl's fixed
// addresses (zipl_layout.h) and, for the parmline and initrd, the addresses stage 3's parameter
// block gives (read from the program's own parameter entry, as stage 3 does).
std::string component_role(const Program& program, const Component& comp) {
  namespace za = zipl::address;
  namespace sp = zipl::stage3_parms;
  switch (comp.address) {
    case za::kHeap: return "heap";
    case za::kStack: return "stack";
    case za::kStage3Parms: return "stage 3 parameters";
    case za::kStage3: return "stage 3";
    case za::kKernel: return "kernel";
    default: break;
  }
  for (const auto& c : program.components)
    if (c.type == ComponentType::kLoad && c.address == za::kStage3Parms && c.length >= sp::kLength)
      if (auto parms = c.bytes.slice(0, sp::kLength)) {
        auto p = Reader(*parms, "stage 3 parameters").fixed_at<sp::kLength>(0, "stage 3 parameters");
        if (!p) continue;
        if (p->u64_be<sp::kInitrdAddr>() == comp.address) return "initrd";
        if (p->u64_be<sp::kParmAddr>() == comp.address) return "parmline";
      }
  return "component";
}

// The LOAD entry: load, overlap check, unsigned or signed handling. false = hard failure.
bool load_entry(Bios& b, LoopState& st, const Component& comp, std::vector<FetchedCertificate>* certs) {
  if (!load_component(b, comp)) return false;
  ComponentReport c;
  c.address = comp.address;
  c.length = comp.length;
  for (const auto& e : b.out.components)
    if ((e.flags & ib::kFlagSc) && intersects(e.address, e.length, c.address, c.length)) {
      b.error("Component addresses overlap");
      if (b.halted) return true;
    }
  if (!st.pending_signature) {
    b.validate(c.address >= ib::kUnsignedMinAddr, &c.cei, ib::kCeiInvalidUnsignedAddr,
               "Load address for unsigned component is less than 0x2000");
    if (!b.halted) add_component(b, c);
    return true;
  }
  c.flags = ib::kFlagSc;
  st.signed_found = true;
  if (!check_sclab(b, st, c)) return false;
  if (b.halted) return true;
  st.sclab_found |= !(c.cei & ib::kCeiInvalidSclab);
  auto store_index = verify_signature(b, c, **st.pending_signature);
  if (store_index) {
    const size_t idx = *store_index;
    if (st.cert_list_of_store.size() <= idx) st.cert_list_of_store.resize(idx + 1);
    if (!st.cert_list_of_store[idx]) {
      uint64_t temp = b.out.layout.cert_temp;
      for (const auto& f : *certs) temp += f.length;
      const uint64_t len = request_certificate(b, temp, static_cast<uint16_t>(idx + 1));
      if (b.halted) return true;
      if (len == 0) {
        b.print("Could not get certificate");
        return false;
      }
      st.cert_list_of_store[idx] = certs->size();
      certs->push_back({temp, len, idx});
    }
    c.cert_index = static_cast<uint16_t>(*st.cert_list_of_store[idx]);
    c.store_index = idx;
    c.flags |= ib::kFlagCsv;
    b.print("Verified component");
  } else {
    b.error("Could not verify component");
  }
  if (!b.halted) add_component(b, c);
  st.pending_signature.reset();
  return true;
}

void check_global_sclab(Bios& b, const LoopState& st, ComponentReport& psw, unsigned exec_index) {
  if (!st.global_sclab) {
    b.out.iiei |= ib::kIieiNoGlobalSclab;
    b.error("Global SCLAB does not exist");
    return;
  }
  const image::Sclab& g = *st.global_sclab;
  bool psw_valid = false, global_psw_valid = false;
  int signed_count = 0, unsigned_count = 0;
  auto inside = [](uint64_t p, const ComponentReport& c) {
    return intersects(p & 0x7fffffff, 1, c.address, c.length - 1);
  };
  for (const auto& c : b.out.components) {
    if (c.flags & ib::kFlagSc) {
      psw_valid |= inside(psw.address, c);
      global_psw_valid |= inside(g.load_psw, c);
      ++signed_count;
    } else {
      ++unsigned_count;
    }
  }
  b.checking = HaltedComponent{exec_index, psw.address, "load PSW"};
  b.validate(psw_valid && global_psw_valid, &psw.cei, ib::kCeiInvalidLoadPsw, "Invalid PSW");
  b.validate(g.load_psw == psw.address, &psw.cei, ib::kCeiUnmatchedSclabLoadPsw,
             "Load PSW does not match with PSW in component");
  b.checking.reset();
  if ((g.flags & image::kSclabFlagNuc) && unsigned_count > 0) {
    b.out.iiei |= ib::kIieiFoundUnsignedComp;
    b.error("Unsigned components are not allowed");
  }
  if ((g.flags & image::kSclabFlagSc) && (signed_count != 1 || unsigned_count != 0)) {
    b.out.iiei |= ib::kIieiMoreSignedComp;
    b.error("Only one signed component is allowed");
  }
}

}  // namespace

bool load_component(Bios& b, const Component& c) {
  if (!b.memory.accessible(c.address, c.bytes.size())) {
    b.note(ids::kBootLoadOutsideMemory,
           fmt::format("component {} ({:#x}, {} bytes) does not fit in guest memory", c.index, c.address, c.length));
    return false;
  }
  uint64_t at = c.address;
  for (const auto& piece : c.bytes.pieces()) {
    if (!b.memory.load(at, piece)) {
      b.read_failed(fmt::format("component {} ({:#x}, {} bytes) cannot be read from the disk", c.index, c.address,
                                c.length));
      return false;
    }
    at += piece.length;
  }
  return true;
}

RunResult run_secure_components(Bios& b, const Program& program, std::vector<FetchedCertificate>* certs) {
  LoopState st;
  struct Forget {  // the halt location belongs to this program's checks only
    Bios& b;
    ~Forget() { b.checking.reset(); }
  } forget{b};
  b.out.components.clear();
  b.out.iiei = 0;
  certs->clear();
  for (const Component& comp : program.components) {
    if (b.halted) return RunResult::kFailed;
    if (comp.type == ComponentType::kExec) break;
    if (comp.type == ComponentType::kSignature) {
      if (st.pending_signature) {
        b.note(ids::kBootTwoSignatures, fmt::format("component table entry {} is a second SIGNATURE entry before a "
                                                  "LOAD entry: the BIOS fails the device without a message",
                                                  comp.index));
        return RunResult::kFailed;
      }
      if (!comp.signature || comp.signature->format != 1) {
        b.print("Signature is not in DER format");
        return RunResult::kFailed;
      }
      st.pending_signature = &comp;
      continue;
    }
    if (comp.type != ComponentType::kLoad) {
      b.print("Unknown component entry type");
      return RunResult::kFailed;
    }
    b.checking = HaltedComponent{comp.index, comp.address, component_role(program, comp)};
    if (!load_entry(b, st, comp, certs)) return RunResult::kFailed;
  }
  b.checking.reset();  // what follows is about the program as a whole
  if (b.halted) return RunResult::kFailed;
  b.validate(st.signed_found, &b.out.iiei, ib::kIieiNoSignedComp, "Secure boot is on, but components are not signed");
  b.validate(st.sclab_found, &b.out.iiei, ib::kIieiNoSclab, "No recognizable SCLAB");
  if (b.halted) return RunResult::kFailed;
  ComponentReport psw;
  psw.address = program.exec().address;
  psw.psw_entry = true;
  check_global_sclab(b, st, psw, program.exec().index);
  if (b.halted) return RunResult::kFailed;
  if (!add_component(b, psw)) return RunResult::kFailed;
  return RunResult::kBooted;
}

}  // namespace sipl::fw::detail
