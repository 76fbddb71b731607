// The IPL report reader: Linux's early-boot walk (Linux arch/s390/boot/ipl_report.c) with every
// length checked against guest memory and the block before use. Where Linux would silently
// ignore something the reader records a finding; where Linux would fault, hang or read past
// the BIOS's capacities the reader stops with an error naming the block and offset.
#include "sipl/guest/ipl_report.h"

#include <fmt/format.h>

#include "sipl/base/bytes.h"
#include "sipl/base/reader.h"
#include "sipl/crypto/certificate.h"
#include "sipl/guest/ipl_report_layout.h"

namespace sipl::guest {
namespace {

namespace L = layout;

constexpr const char* kMemory = "guest memory";
// The BIOS copies certificates of at most 8000 DER bytes; Linux has no limit, but reading
// 64 entries that each name all of guest memory must not eat the host's.
constexpr uint64_t kMaxCertificateLen = 64 * 1024;

std::string hex(uint64_t v) { return fmt::format("0x{:x}", v); }

// Returns true when [addr, addr+len) lies in guest memory without wrapping.
bool in_memory(const hv::GuestMemory& mem, uint64_t addr, uint64_t len) {
  if (len > UINT64_MAX - addr) return false;
  return mem.accessible(addr, len);
}

Result<Bytes> read_bytes(const hv::GuestMemory& mem, uint64_t addr, uint64_t len, const std::string& what) {
  if (!in_memory(mem, addr, len))
    return fail(ErrorCode::kBadInput,
                fmt::format("{}: {} bytes at {} lie outside guest memory", what, len, hex(addr)),
                Location::at_offset(kMemory, addr));
  Bytes b(len);
  if (!mem.read(addr, b))
    return fail(ErrorCode::kBadInput, fmt::format("{} at {} could not be read", what, hex(addr)),
                Location::at_offset(kMemory, addr));
  return b;
}

void note(Findings& f, Severity s, std::string id, std::string msg, uint64_t offset) {
  f.push_back(Finding{s, std::move(id), std::move(msg), {{"offset", std::to_string(offset)}}});
}

class Walker {
 public:
  Walker(const hv::GuestMemory& mem, uint64_t report_addr, const Bytes& buf, IplReport& r, Findings& f)
      : mem_(mem), addr_(report_addr), rd_(buf, kMemory, report_addr, "the IPL report"), r_(r), f_(f) {}

  // Linux: while (rb + 16 < end && rb + rb->len <= end) { ...; rb += rb->len; }
  Status walk() {
    const uint64_t end = rd_.size();
    uint64_t off = L::iirb::kHeaderSize;
    // Each step advances by at least 16 bytes (shorter blocks are refused below), so the
    // loop runs at most 5136 / 16 times.
    while (off + L::block::kHeaderSize < end) {
      auto head = rd_.fixed_at<L::block::kHeaderSize>(off, "info block header");
      if (!head) return tl::unexpected(head.error());
      const uint32_t blen = head->u32_be<L::block::kLen>();
      if (off + blen > end) {
        note(f_, Severity::kWarning, ids::kGuestBlockPastReportEnd,
             fmt::format("info block at IIRB offset {} has length {}, past the report end ({}): "
                         "Linux stops its walk there",
                         off, blen, end),
             off);
        return {};
      }
      if (blen < L::block::kHeaderSize)
        return fail(ErrorCode::kBadInput,
                    fmt::format("info block at IIRB offset {} has length {}, shorter than its {}-byte "
                                "header{}",
                                off, blen, L::block::kHeaderSize,
                                blen == 0 ? " (Linux's walk would loop forever on it)" : ""),
                    Location::at_offset(kMemory, addr_ + off));
      const uint8_t type = head->u8<L::block::kType>();
      if (type == L::block::kTypeComponents) {
        if (auto s = components(off, blen); !s) return s;
      } else if (type == L::block::kTypeCertificates) {
        if (auto s = certificates(off, blen); !s) return s;
      } else {
        note(f_, Severity::kWarning, ids::kGuestUnknownBlock,
             fmt::format("info block at IIRB offset {} has unknown type {}: Linux ignores it", off, type),
             off);
      }
      off += blen;
    }
    if (off < end)
      note(f_, Severity::kWarning, ids::kGuestReportTailUnread,
           fmt::format("the last {} bytes of the report (IIRB offset {}) are not read by Linux: a "
                       "block there must be longer than its 16-byte header",
                       end - off, off),
           off);
    return {};
  }

 private:
  // Returns the number of whole entries in a block after checking it against `max`.
  Result<uint64_t> entry_count(uint64_t off, uint32_t blen, size_t size, size_t max, const char* what) {
    const uint64_t body = blen - L::block::kHeaderSize;
    const uint64_t n = body / size;
    if (n > max)
      return fail(ErrorCode::kLimit,
                  fmt::format("{} at IIRB offset {} has {} entries; the BIOS writes at most {}", what, off, n, max),
                  Location::at_offset(kMemory, addr_ + off));
    if (body % size)
      note(f_, Severity::kWarning, ids::kGuestBlockTrailingBytes,
           fmt::format("{} at IIRB offset {} ends in {} bytes that are not a whole {}-byte entry: Linux "
                       "ignores them",
                       what, off, body % size, size),
           off);
    return n;
  }

  void replaced(bool seen, uint64_t off, const char* what) {
    if (seen)
      note(f_, Severity::kWarning, ids::kGuestDuplicateBlock,
           fmt::format("a second {} at IIRB offset {} replaces the first: Linux uses the last one", what, off),
           off);
  }

  Status components(uint64_t off, uint32_t blen) {
    auto n = entry_count(off, blen, L::component::kSize, L::kMaxComponents, "component list");
    if (!n) return tl::unexpected(n.error());
    replaced(r_.has_components, off, "component list");
    r_.has_components = true;
    auto block = rd_.child_at(off, blen, "the component list");
    if (!block) return tl::unexpected(block.error());
    auto iiei = block->u16_be_at(L::block::kIiei, "IIEI");
    if (!iiei) return tl::unexpected(iiei.error());
    r_.iiei = *iiei;
    r_.iiei_bits = decode_iiei(r_.iiei);
    r_.components.clear();
    for (uint64_t i = 0; i < *n; ++i) {
      const size_t at = L::block::kHeaderSize + i * L::component::kSize;
      auto e = block->fixed_at<L::component::kSize>(at, "component entry");
      if (!e) return tl::unexpected(e.error());
      ReportComponent c;
      c.offset = off + at;
      c.addr = e->u64_be<L::component::kAddr>();
      c.len = e->u64_be<L::component::kLen>();
      c.flags = e->u8<L::component::kFlags>();
      c.is_signed = c.flags & L::component::kFlagSigned;
      c.verified = c.flags & L::component::kFlagVerified;
      c.cert_index = e->u16_be<L::component::kCertIndex>();
      c.cei = e->u32_be<L::component::kCei>();
      c.cei_bits = decode_cei(c.cei);
      r_.components.push_back(std::move(c));
    }
    return {};
  }

  Status certificates(uint64_t off, uint32_t blen) {
    auto n = entry_count(off, blen, L::certificate::kSize, L::kMaxCertificates, "certificate list");
    if (!n) return tl::unexpected(n.error());
    replaced(r_.has_certificates, off, "certificate list");
    r_.has_certificates = true;
    r_.certificates.clear();
    auto block = rd_.child_at(off, blen, "the certificate list");
    if (!block) return tl::unexpected(block.error());
    for (uint64_t i = 0; i < *n; ++i) {
      const size_t at = L::block::kHeaderSize + i * L::certificate::kSize;
      auto e = block->fixed_at<L::certificate::kSize>(at, "certificate entry");
      if (!e) return tl::unexpected(e.error());
      ReportCertificate c;
      c.offset = off + at;
      c.addr = e->u64_be<L::certificate::kAddr>();
      c.len = e->u64_be<L::certificate::kLen>();
      const std::string what = fmt::format("certificate {} (entry at IIRB offset {})", i, c.offset);
      if (c.len > kMaxCertificateLen)
        return fail(ErrorCode::kLimit,
                    fmt::format("{} has length {}; sipl reads certificates of up to {} bytes (the BIOS "
                                "copies at most 8000)",
                                what, c.len, kMaxCertificateLen),
                    Location::at_offset(kMemory, addr_ + c.offset));
      auto der = read_bytes(mem_, c.addr, c.len, what);
      if (!der) return tl::unexpected(der.error());
      if (auto cert = crypto::Certificate::from_der(*der)) {
        c.parsed = true;
        c.subject = cert->subject();
        c.key_id = to_hex(cert->key_id_sha256());
        c.fingerprint = to_hex(cert->fingerprint_sha256());
      }
      c.der = std::move(*der);
      r_.certificates.push_back(std::move(c));
    }
    return {};
  }

  const hv::GuestMemory& mem_;
  uint64_t addr_;
  Reader rd_;
  IplReport& r_;
  Findings& f_;
};

// Cross-entry checks Linux does not make but a reader of the guest's view wants to see.
void check_components(const IplReport& r, Findings& f) {
  for (size_t i = 0; i < r.components.size(); ++i) {
    const auto& c = r.components[i];
    if (c.verified && !c.is_signed)
      note(f, Severity::kWarning, ids::kGuestVerifiedNotSigned,
           fmt::format("component {} at {} is flagged verified but not signed", i, hex(c.addr)), c.offset);
    if (c.is_signed && c.verified && c.cert_index >= r.certificates.size())
      note(f, Severity::kWarning, ids::kGuestCertIndexOutOfRange,
           fmt::format("component {} at {} names certificate {}, but the certificate list has {}", i,
                       hex(c.addr), c.cert_index, r.certificates.size()),
           c.offset);
  }
}

}  // namespace

std::string ReportComponent::status() const {
  if (!is_signed) return "not signed";
  return verified ? "signed, verified" : "signed, verification failed";
}

std::vector<ReportCertificate> GuestView::platform_keyring() const {
  std::vector<ReportCertificate> out;
  if (!report || !report->used_by_linux()) return out;
  for (const auto& k : keyring)
    if (k.loaded && k.index < report->certificates.size()) out.push_back(report->certificates[k.index]);
  return out;
}

namespace {

// Linux's late_initcall load_ipl_certs over the certificate list of a report it kept.
void load_keyring(GuestView& v) {
  if (!v.report || !v.report->used_by_linux()) return;
  std::vector<Bytes> ders;
  for (const auto& c : v.report->certificates) ders.push_back(c.der);
  v.keyring = load_ipl_certificates(ders, v.kernel);
  for (const auto& k : v.keyring)
    if (k.loaded) v.report->certificates[k.index].description = k.description;
  auto f = keyring_findings(v.keyring, v.kernel);
  v.findings.insert(v.findings.end(), f.begin(), f.end());
}

}  // namespace

Result<GuestView> read_ipl_report(const hv::GuestMemory& mem, uint64_t iplb_addr,
                                  std::optional<bool> has_sipl_facility, const GuestKernel& kernel) {
  GuestView v;
  v.iplb_addr = iplb_addr;
  v.has_secure = has_sipl_facility;
  v.kernel = kernel;
  auto hdr = read_bytes(mem, iplb_addr, L::iplb::kHeaderSize, "IPL parameter block header");
  if (!hdr) return tl::unexpected(hdr.error());
  auto hr = Reader(*hdr, kMemory, iplb_addr, "the IPL parameter block header")
                .fixed_at<L::iplb::kHeaderSize>(0, "IPL parameter block header");
  if (!hr) return tl::unexpected(hr.error());
  v.iplb_len = hr->u32_be<L::iplb::kLen>();
  v.hdr_flags = hr->u8<L::iplb::kHdrFlags>();
  v.iplb_version = hr->u8<L::iplb::kVersion>();
  if (v.iplb_len < L::iplb::kHeaderSize || v.iplb_len > L::iplb::kMaxLen)
    return fail(ErrorCode::kBadInput,
                fmt::format("IPL parameter block at {} has length {}; DIAG 308 allows {} to {} bytes",
                            hex(iplb_addr), v.iplb_len, L::iplb::kHeaderSize, L::iplb::kMaxLen),
                Location::at_offset(kMemory, iplb_addr));
  v.iplb_valid = v.iplb_version <= L::iplb::kMaxVersion;
  if (!v.iplb_valid) {
    note(v.findings, Severity::kWarning, ids::kGuestIplbVersion,
         fmt::format("IPL parameter block version {} is newer than Linux supports ({}): Linux ignores "
                     "the IPLB and any report",
                     v.iplb_version, L::iplb::kMaxVersion),
         iplb_addr);
    return v;
  }
  if (!(v.hdr_flags & L::iplb::kFlagIplir)) {
    if (v.hdr_flags & L::iplb::kFlagSipl)
      note(v.findings, Severity::kWarning, ids::kGuestSiplWithoutIplir,
           "the IPLB has SIPL (0x40) without IPLIR (0x20): Linux shows secure 0 and reads no report",
           iplb_addr);
    return v;
  }
  // Linux sets ipl_secure_flag before it looks at the report, so an ignored report keeps it.
  v.secure = v.hdr_flags & L::iplb::kFlagSipl;
  if (v.iplb_len % L::kReportAlignment)
    note(v.findings, Severity::kWarning, ids::kGuestIplbLenUnaligned,
         fmt::format("IPLB length {} is not a multiple of 8: Linux looks for the report at the next "
                     "doubleword (the BIOS would have panicked)",
                     v.iplb_len),
         iplb_addr);
  const uint64_t raw = iplb_addr + v.iplb_len;
  if (raw > UINT64_MAX - (L::kReportAlignment - 1))
    return fail(ErrorCode::kBadInput, "the IPL report address wraps around", Location::at_offset(kMemory, iplb_addr));
  IplReport r;
  r.addr = (raw + L::kReportAlignment - 1) & ~(L::kReportAlignment - 1);
  auto rl = read_bytes(mem, r.addr, L::iirb::kHeaderSize, "IPL report header");
  if (!rl) return tl::unexpected(rl.error());
  auto rh = Reader(*rl, kMemory, r.addr, "the IPL report header").fixed_at<L::iirb::kHeaderSize>(0, "IPL report header");
  if (!rh) return tl::unexpected(rh.error());
  r.len = rh->u32_be<L::iirb::kLen>();
  r.flags = rh->u8<L::iirb::kFlags>();
  if (r.len > L::kMaxIirbLen)
    return fail(ErrorCode::kLimit,
                fmt::format("IPL report at {} has length {}; the BIOS writes at most {} bytes "
                            "(127 components, 64 certificates)",
                            hex(r.addr), r.len, L::kMaxIirbLen),
                Location::at_offset(kMemory, r.addr));
  if (r.len < L::iirb::kHeaderSize) {
    note(v.findings, Severity::kWarning, ids::kGuestReportTooShort,
         fmt::format("IPL report length {} is shorter than its 16-byte header", r.len), r.addr);
  } else {
    auto buf = read_bytes(mem, r.addr, r.len, "IPL report");
    if (!buf) return tl::unexpected(buf.error());
    Walker w(mem, r.addr, *buf, r, v.findings);
    if (auto s = w.walk(); !s) return tl::unexpected(s.error());
  }
  if (!r.used_by_linux())
    note(v.findings, Severity::kWarning, ids::kGuestReportIgnored,
         fmt::format("the IPL report has no {} that Linux's walk reaches: Linux ignores the report (no "
                     "components logged, no .platform certificates)",
                     r.has_components ? "certificate list (type 1)" : "component list (type 2)"),
         r.addr);
  check_components(r, v.findings);
  v.report = std::move(r);
  load_keyring(v);
  return v;
}

Result<GuestView> read_ipl_report_from_lowcore(const hv::GuestMemory& mem, std::optional<bool> has_sipl_facility,
                                               const GuestKernel& kernel) {
  auto ptr = read_bytes(mem, L::kLowcoreIplParmblockPtr, 4, "lowcore IPL parameter block pointer");
  if (!ptr) return tl::unexpected(ptr.error());
  auto addr = Reader(*ptr, kMemory, L::kLowcoreIplParmblockPtr).u32_be("lowcore IPL parameter block pointer");
  if (!addr) return tl::unexpected(addr.error());
  return read_ipl_report(mem, *addr, has_sipl_facility, kernel);
}

}  // namespace sipl::guest
