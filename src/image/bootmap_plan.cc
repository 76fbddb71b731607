#include "image/bootmap_plan.h"

#include <algorithm>

#include <fmt/format.h>

#include "sipl/image/zipl_layout.h"
#include "sipl/image/appended_signature.h"
#include "sipl/image/sclab.h"

namespace sipl::image {
namespace {

namespace za = zipl::address;

// zipl places components it allocates itself below this limit (ADDRESS_LIMIT, 2 GiB).
constexpr uint64_t kAddressLimit = 0x80000000ULL;
// zipl rounds every component's size up to MAXIMUM_PHYSICAL_BLOCKSIZE when allocating.
constexpr uint64_t kAllocAlign = 4096;
// The parmline reserves one 4 KiB page (zipl: ALIGN(MAXIMUM_PARMLINE_SIZE, 4096)); with its NUL
// it must fit there. The initrd is aligned to 64 KiB.
constexpr uint64_t kParmlineArea = 0x1000;
constexpr uint64_t kInitrdAlign = 0x10000;

// A file as zipl loads it: without its appended signature, plus the signature if any.
struct SignedFile {
  SourceRange payload;
  std::optional<SourceRange> signature;
};

// Returns the last min(n, range.length) bytes of `range`.
Result<Bytes> read_tail(const SourceRange& range, uint64_t n) {
  n = std::min(n, range.length);
  return read_all({range.source, range.offset + range.length - n, n});
}

// Reads only the 40-byte trailer: the payload and signature stay ranges of the file.
Result<SignedFile> cut_signature(const BootFile& f) {
  auto tail = read_tail(f.bytes, kSignatureTrailerSize);
  if (!tail) return tl::unexpected(tail.error());
  auto t = parse_signature_trailer(*tail, f.bytes.length, f.path);
  if (!t) return tl::unexpected(t.error());
  if (!*t) return SignedFile{f.bytes, std::nullopt};
  const SourceRange& b = f.bytes;
  return SignedFile{{b.source, b.offset, (*t)->payload_size},
                    SourceRange{b.source, b.offset + (*t)->payload_size, (*t)->sig_len}};
}

struct Planner {
  const BootmapSpec& spec;
  std::vector<std::string>& warnings;

  void load(PlannedEntry& e, ComponentKind kind, uint64_t addr, SourceRange data, std::string source) {
    PlannedComponent c;
    c.kind = kind;
    c.type = zipl::component_entry::kTypeLoad;
    c.compdat = addr;
    c.data = data;
    c.source = std::move(source);
    e.components.push_back(std::move(c));
  }

  // Adds the SIGNATURE entry for `f` (to be loaded at `address`) when the mode asks for one;
  // warns like zipl when the loaded (block padded) component would not be exactly the signed
  // bytes, and like the BIOS's SCLAB checks would complain.
  Status signature(PlannedEntry& e, ComponentKind kind, const BootFile& f, const SignedFile& s, uint64_t address) {
    if (!s.signature || spec.secure == SecureMode::kOff) return {};
    ++signed_components;
    PlannedComponent c;
    c.kind = kind;
    c.type = zipl::component_entry::kTypeSignature;
    c.signature_length = static_cast<uint32_t>(s.signature->length);
    c.compdat = (uint64_t{zipl::component_entry::kSigFormatPkcs7} << 56) | c.signature_length;
    c.data = *s.signature;
    c.source = f.path;
    e.components.push_back(std::move(c));
    if (s.payload.length % spec.block_size != 0)
      warnings.push_back(
          fmt::format("Size of signed file {} is not a multiple of the disk block size", f.path));
    return sclab_hint(kind, f, s, address);
  }

  // Every signed component is verified, and first checked for a SCLAB (stage 3, kernels and
  // initrds alike): the BIOS reads the loaded, block-padded component, so it is checked the
  // same way (image::check_sclab), at the address it is loaded to. zipl 2.16's stage3.bin,
  // distribution kernels before 2025 and initrds carry none; with secure-boot=on the BIOS
  // stops at the first such component, audit mode only warns. Say so now, with the fix.
  // Reads at most the last 64 KiB of the payload, as far back as a locator can reach.
  Status sclab_hint(ComponentKind kind, const BootFile& f, const SignedFile& s, uint64_t address) {
    const uint64_t padded = round_up(s.payload.length, spec.block_size);
    const uint64_t zeros = padded - s.payload.length;  // the block padding the BIOS also reads
    const uint64_t want = std::min<uint64_t>(padded, kSclabMaxReach);
    auto tail = read_tail(s.payload, want > zeros ? want - zeros : 0);
    if (!tail) return tl::unexpected(tail.error());
    tail->resize(tail->size() + std::min(zeros, want), std::byte{0});
    const SclabCheck check = check_sclab(*tail, padded, address);
    const bool stage3 = kind == ComponentKind::kStage3Signature;
    const std::string fix =
        stage3 ? fmt::format("global --psw 0x{:016x} --load-addr 0x{:x}", zipl::address::kExecPsw, address) : "plain";
    if (check.global) ++global_sclabs;
    if (!check.has_sclab) {
      ++missing_sclabs;
      warnings.push_back(fmt::format(
          "{} is signed but has no SCLAB ({}): QEMU's secure-boot=on will stop at it, audit mode "
          "only warns; re-sign it with one: sipl sign --resign --sclab {} ...",
          f.path, check.errors.front(), fix));
      return {};
    }
    for (const auto& msg : check.errors)
      warnings.push_back(fmt::format(
          "{} ({}, loaded at 0x{:x}) has a SCLAB the BIOS refuses (\"{}\"): QEMU's secure-boot=on will stop at "
          "it, audit mode only warns; re-sign it: sipl sign --resign --sclab {} ...",
          f.path, component_kind_name(loaded_kind(kind)), address, msg, fix));
    return {};
  }

  // The component a SIGNATURE entry kind signs.
  static ComponentKind loaded_kind(ComponentKind signature) {
    switch (signature) {
      case ComponentKind::kStage3Signature: return ComponentKind::kStage3;
      case ComponentKind::kKernelSignature: return ComponentKind::kKernel;
      default: return ComponentKind::kInitrd;
    }
  }

  // After an entry's components: the one global SCLAB the BIOS needs (stage 3's, with the
  // EXEC PSW). Only said when every signed component has a SCLAB (else the fix above covers it).
  void global_sclab_hint(const PlannedEntry& e) {
    if (spec.secure == SecureMode::kOff || signed_components == 0 || missing_sclabs > 0) return;
    if (global_sclabs == 0)
      warnings.push_back(fmt::format(
          "entry '{}': no signed component carries the global SCLAB (the BIOS says \"Global SCLAB does not "
          "exist\"): QEMU's secure-boot=on will stop; re-sign stage 3 with one: sipl sign --resign --sclab global "
          "--psw 0x{:016x} --load-addr 0x{:x} ...",
          e.name, zipl::address::kExecPsw, zipl::address::kStage3));
    else if (global_sclabs > 1)
      warnings.push_back(fmt::format(
          "entry '{}': {} signed components carry a global SCLAB (the BIOS says \"More than one global "
          "SCLAB\"): QEMU's secure-boot=on will stop; only stage 3's may have one, re-sign the others with "
          "--sclab plain",
          e.name, global_sclabs));
  }

  // Counts for the current entry, reset by entry().
  unsigned signed_components = 0, missing_sclabs = 0, global_sclabs = 0;

  Status require_signed(const SignedFile& s, std::string_view what, const std::string& path) {
    if (spec.secure != SecureMode::kOn || s.signature) return {};
    return fail(ErrorCode::kBadInput,
                fmt::format("Could not install Secure Boot IPL records: Missing signature in {} {}",
                            what, path));
  }

  Result<PlannedEntry> entry(const BootEntrySpec& in, const SignedFile& stage3) {
    signed_components = missing_sclabs = global_sclabs = 0;
    PlannedEntry e;
    e.name = in.name;
    auto kernel = cut_signature(in.kernel);
    if (!kernel) return tl::unexpected(kernel.error());
    std::optional<SignedFile> initrd;
    if (in.initrd) {
      auto r = cut_signature(*in.initrd);
      if (!r) return tl::unexpected(r.error());
      initrd = *r;
    }
    if (auto st = require_signed(*kernel, "image file", in.kernel.path); !st)
      return tl::unexpected(st.error());
    if (kernel->payload.length == 0)
      return fail(ErrorCode::kBadInput, "kernel image has no bytes to load", Location(in.kernel.path));
    if (initrd && initrd->payload.length == 0)
      return fail(ErrorCode::kBadInput, "initrd has no bytes to load", Location(in.initrd->path));

    // Addresses: zipl sizes components by their file size as stat'ed (signature included),
    // rounded to 4 KiB, and allocates upward from the kernel at 0x10000 (job.c).
    const uint64_t kernel_size = in.kernel.bytes.length;
    uint64_t next = za::kKernel + round_up(kernel_size, kAllocAlign);
    std::optional<uint64_t> parm_addr, initrd_addr;
    if (in.parmline) {
      if (in.parmline->size() + 1 > kParmlineArea)
        return fail(ErrorCode::kUsage,
                    fmt::format("parmline of entry '{}' is {} bytes; at most {} fit", in.name,
                                in.parmline->size(), kParmlineArea - 1));
      if (in.parmline->find('\0') != std::string::npos)
        return fail(ErrorCode::kUsage, fmt::format("parmline of entry '{}' contains a NUL byte", in.name));
      parm_addr = round_up(next, kAllocAlign);
      next = *parm_addr + kParmlineArea;
    }
    if (initrd) {
      initrd_addr = round_up(next, kInitrdAlign);
      next = *initrd_addr + round_up(in.initrd->bytes.length, kAllocAlign);
    }
    if (next > kAddressLimit)
      return fail(ErrorCode::kUsage,
                  fmt::format("Could not fit the components of entry '{}' into the available "
                              "address space (they end at 0x{:x}, the limit is 0x{:x})",
                              in.name, next, kAddressLimit));

    // Stage 3 heap and stack dummies keep the firmware away from memory stage 3 uses.
    load(e, ComponentKind::kHeap, za::kHeap, own(Bytes(za::kHeapSize)), "");
    load(e, ComponentKind::kStack, za::kStack, own(Bytes(za::kStackSize)), "");
    if (auto st = signature(e, ComponentKind::kStage3Signature, spec.stage3, stage3, za::kStage3); !st)
      return tl::unexpected(st.error());
    load(e, ComponentKind::kStage3, za::kStage3, stage3.payload, spec.stage3.path);

    Stage3Parms& p = e.parms;
    p.parm_addr = parm_addr.value_or(~uint64_t{0});
    p.initrd_addr = initrd_addr.value_or(0);
    p.initrd_len = initrd ? in.initrd->bytes.length : 0;  // stat size, signature included
    p.load_psw = za::kPswBase | za::kKernel;
    p.extra_parm = 0;  // SCSI: no DASD menu extra parameters
    p.flags = zipl::stage3_parms::kFlagScsi;
    p.image_len = kernel_size;
    p.image_addr = za::kKernel;
    load(e, ComponentKind::kStage3Parms, za::kStage3Parms, own(encode_stage3_parms(p)), "");

    if (auto st = signature(e, ComponentKind::kKernelSignature, in.kernel, *kernel, za::kKernel); !st)
      return tl::unexpected(st.error());
    load(e, ComponentKind::kKernel, za::kKernel, kernel->payload, in.kernel.path);
    if (in.parmline) {
      Bytes text(in.parmline->size() + 1);
      store_bytes(text, 0, as_bytes(*in.parmline));
      load(e, ComponentKind::kParmline, *parm_addr, own(std::move(text)), "");
    }
    if (initrd) {
      if (auto st = signature(e, ComponentKind::kInitrdSignature, *in.initrd, *initrd, *initrd_addr); !st)
        return tl::unexpected(st.error());
      load(e, ComponentKind::kInitrd, *initrd_addr, initrd->payload, in.initrd->path);
    }
    PlannedComponent exec;
    exec.kind = ComponentKind::kExecute;
    exec.type = zipl::component_entry::kTypeExec;
    exec.compdat = za::kExecPsw;
    e.components.push_back(std::move(exec));
    global_sclab_hint(e);
    return e;
  }
};

}  // namespace

Result<SecureMode> parse_secure_mode(std::string_view text) {
  if (text == "auto") return SecureMode::kAuto;
  if (text == "1") return SecureMode::kOn;
  if (text == "0") return SecureMode::kOff;
  return fail(ErrorCode::kUsage, fmt::format("--secure must be auto, 1 or 0, not '{}'", text));
}

std::string_view secure_mode_name(SecureMode mode) {
  switch (mode) {
    case SecureMode::kAuto: return "auto";
    case SecureMode::kOn: return "1";
    case SecureMode::kOff: return "0";
  }
  return "?";
}

std::string_view component_kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kHeap: return "heap area";
    case ComponentKind::kStack: return "stack area";
    case ComponentKind::kStage3Signature: return "loader signature";
    case ComponentKind::kStage3: return "internal loader";
    case ComponentKind::kStage3Parms: return "parameters";
    case ComponentKind::kKernelSignature: return "image signature";
    case ComponentKind::kKernel: return "kernel image";
    case ComponentKind::kParmline: return "parmline";
    case ComponentKind::kInitrdSignature: return "ramdisk signature";
    case ComponentKind::kInitrd: return "initial ramdisk";
    case ComponentKind::kExecute: return "execute";
  }
  return "?";
}

Bytes encode_stage3_parms(const Stage3Parms& p) {
  namespace sp = zipl::stage3_parms;
  Bytes b(sp::kLength);
  store_u64_be(b, sp::kParmAddr, p.parm_addr);
  store_u64_be(b, sp::kInitrdAddr, p.initrd_addr);
  store_u64_be(b, sp::kInitrdLen, p.initrd_len);
  store_u64_be(b, sp::kLoadPsw, p.load_psw);
  store_u64_be(b, sp::kExtraParm, p.extra_parm);
  store_u64_be(b, sp::kFlags, p.flags);
  store_u64_be(b, sp::kImageLen, p.image_len);
  store_u64_be(b, sp::kImageAddr, p.image_addr);
  store_u64_be(b, sp::kEnvblkAddr, p.envblk_addr);
  store_u64_be(b, sp::kEnvblkLen, p.envblk_len);
  return b;
}

Result<std::vector<PlannedEntry>> plan_entries(const BootmapSpec& spec, std::vector<std::string>& warnings) {
  Planner planner{spec, warnings};
  auto stage3 = cut_signature(spec.stage3);
  if (!stage3) return tl::unexpected(stage3.error());
  if (auto st = planner.require_signed(*stage3, "internal loader file", spec.stage3.path); !st)
    return tl::unexpected(st.error());
  if (stage3->payload.length == 0)
    return fail(ErrorCode::kBadInput, "stage 3 loader is empty", Location(spec.stage3.path));
  std::vector<PlannedEntry> out;
  for (const auto& in : spec.entries) {
    auto e = planner.entry(in, *stage3);
    if (!e) return tl::unexpected(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace sipl::image
