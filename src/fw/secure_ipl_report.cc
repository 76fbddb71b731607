// The BIOS's DIAG conversations outside the component loop (facility checks, VCSSB query,
// certificate fetch) and what it leaves in guest memory for the loaded program: the IPLB, the
// IIRB right after it and the certificates in the ipl_data area (QEMU include/hw/s390x/ipl/qipl.h,
// pc-bios/s390-ccw/main.c).
#include <fmt/format.h>

#include "fw/secure_ipl_internal.h"
#include "sipl/base/reader.h"
#include "sipl/base/ebcdic.h"
#include "sipl/fw/iirb_layout.h"
#include "sipl/hv/diag320.h"
#include "sipl/hv/diag320_decode.h"
#include "sipl/hv/diag320_layout.h"
#include "sipl/hv/diag508.h"
#include "sipl/hv/diag508_layout.h"

namespace sipl::fw::detail {

namespace d320 = hv::diag320;

namespace {

void stop_outside_memory(Bios& b, uint64_t addr, uint64_t len) {
  if (b.halted) return;
  const std::string what = fmt::format("the BIOS's {} bytes at {:#x} are not in guest memory", len, addr);
  b.note(ids::kBootBiosMemory, what + " (too little RAM for the BIOS's layout)");
  b.out.halt_reason = what;
  b.halted = true;
}

}  // namespace

bool Bios::put(uint64_t addr, ByteSpan data) {
  if (memory.write(addr, data)) return true;
  stop_outside_memory(*this, addr, data.size());
  return false;
}

bool Bios::get(uint64_t addr, MutableByteSpan data) {
  if (memory.read(addr, data)) return true;
  stop_outside_memory(*this, addr, data.size());
  return false;
}

bool secure_startup(Bios& b) {
  const auto& fac = b.machine.facilities();
  const auto L = b.out.layout;
  bool ok = true;
  if (!fac.sipl) {
    b.print("Secure IPL Facility is not supported by the hypervisor!");
    ok = false;
  }
  if (ok) {
    hv::Diag508Request q;
    q.address = L.svb;
    q.subcode = hv::diag508::kSubcodeQuery;
    q.at = b.at;
    auto r = hv::execute_diag508(b.machine.store(), b.memory, q);
    if (r.exception || !(r.rc & hv::diag508::kRcQueryMask)) {
      b.print("Secure IPL extensions are not supported by the hypervisor!");
      ok = false;
    }
  }
  if (ok) {
    hv::Diag320Request q;
    q.cpu.cstore = fac.cstore;
    q.address = L.vcssb;
    q.subcode = d320::kSubcodeQueryIsm;
    q.at = b.at;
    bool cstore = fac.cstore;  // SCLP byte 134 bit 5
    if (cstore) {
      auto r = hv::execute_diag320(b.machine.store(), b.memory, q);
      Bytes ism(d320::kIsmStoredSize);
      // The BIOS tests bits 1 and 2 together (mask 0x60000000): either will do.
      cstore = r.ok() && b.memory.read(L.vcssb, ism) &&
               (hv::decode_ism(ism)->installed(d320::kSubcodeQueryVcsi) ||
                hv::decode_ism(ism)->installed(d320::kSubcodeStoreVc));
    }
    if (!cstore) {
      b.print("Certificate Store Facility is not supported by the hypervisor!");
      ok = false;
    }
  }
  if (ok && !fac.sclaf) {
    b.print("Secure IPL Code Loading Attributes Facility is not supported by the hypervisor!");
    ok = false;
  }
  if (!ok) {
    b.panic("Unable to boot in secure/audit mode");
    return false;
  }
  // zipl_secure_get_vcssb(): subcode 1 once, then main()'s two panics.
  Bytes vcssb = hv::vcssb_request();
  if (!b.put(L.vcssb, vcssb)) return false;
  hv::Diag320Request q;
  q.cpu.cstore = fac.cstore;
  q.address = L.vcssb;
  q.subcode = d320::kSubcodeQueryVcsi;
  q.at = b.at;
  auto r = hv::execute_diag320(b.machine.store(), b.memory, q);
  if (!r.ok() || !b.get(L.vcssb, vcssb)) {
    b.panic("Failed to query certificate storage information!");
    return false;
  }
  const auto fields = hv::decode_vcssb(vcssb, "guest memory", L.vcssb);
  if (!fields) {  // a 128-byte block always decodes; kept so no path dereferences an error
    b.panic("Failed to query certificate storage information!");
    return false;
  }
  if (fields->length == d320::vcssb::kEmptyStoreLength) {
    b.panic("Need at least one certificate for secure boot!");
    return false;
  }
  b.max_single_vcb_len = fields->max_single_vcb_len;
  return true;
}

uint64_t request_certificate(Bios& b, uint64_t dest, uint16_t index) {
  const uint64_t in_len = round_up(b.max_single_vcb_len.value_or(0), d320::vcb::kInLenGranule);
  const auto L = b.out.layout;
  if (!b.put(L.vcb, Bytes(in_len)) ||
      !b.put(L.vcb, hv::VcbRequest{static_cast<uint32_t>(in_len), index, index}.encode()))
    return 0;
  hv::Diag320Request q;
  q.cpu.cstore = b.machine.facilities().cstore;
  q.address = L.vcb;
  q.subcode = d320::kSubcodeStoreVc;
  q.at = b.at;
  auto r = hv::execute_diag320(b.machine.store(), b.memory, q);
  if (!r.ok()) {
    b.print("Could not get certificate");
    return 0;
  }
  Bytes out(in_len);
  if (in_len < d320::vcb::kHeaderSize + d320::vce::kHeaderSize || !b.get(L.vcb, out)) {
    b.print("No certificate entry");
    return 0;
  }
  // The size check above leaves room for the VCB header and one VCE header.
  const Reader vcb(out, "guest memory", L.vcb, "the VCB");
  auto header = vcb.fixed_at<d320::vcb::kHeaderSize>(0, "VCB header");
  auto vce = vcb.child_at(d320::vcb::kHeaderSize, out.size() - d320::vcb::kHeaderSize, "the VCE");
  auto vce_header = vce ? vce->fixed_at<d320::vce::kHeaderSize>(0, "VCE header") : tl::unexpected(vce.error());
  if (!header || !vce_header || header->u32_be<d320::vcb::kOutLen>() == d320::vcb::kHeaderSize) {
    b.print("No certificate entry");
    return 0;
  }
  if (header->u16_be<d320::vcb::kRemainCount>() != 0) {
    b.panic("Not enough memory to store requested certificate");
    return 0;
  }
  if (!(vce_header->u8<d320::vce::kFlags>() & d320::vce::kFlagValid)) {
    b.print("Invalid certificate");
    return 0;
  }
  const uint32_t len = vce_header->u32_be<d320::vce::kCertLen>();
  const uint16_t off = vce_header->u16_be<d320::vce::kCertOffset>();
  auto cert = vce->bytes_at(off, len, "certificate");
  if (!cert) {
    b.print("Invalid certificate");
    return 0;
  }
  if (!b.put(dest, *cert)) return 0;
  return len;
}

void write_iplb(Bios& b, size_t device) {
  // The IPLB QEMU builds for a CCW boot device (QEMU hw/s390x/ipl.c): len 4096 whenever IPLIR is
  // set.
  const uint8_t flags = b.machine.iplb_header_flags();
  Bytes iplb(hv::kIplbSize);
  const uint32_t len = (flags & hv::kIplbFlagIplir) ? hv::kIplbSize : 200;
  store_u32_be(iplb, 0, len);
  store_u8(iplb, 4, flags);
  store_u32_be(iplb, 8, len - 8);
  store_u8(iplb, 12, 0x02);  // pbt: CCW
  store_u8(iplb, 13, 0x80);  // loadparm valid
  store_bytes(iplb, 16, ascii_to_ebcdic(b.machine.loadparm(device)));
  if (!b.put(b.out.layout.iplb, iplb)) return;
  Bytes ptr(4);
  store_u32_be(ptr, 0, static_cast<uint32_t>(b.out.layout.iplb));
  if (!b.put(kLowcoreIplbPointer, ptr)) return;
}

void write_ipl_report(Bios& b, size_t device, const std::vector<FetchedCertificate>& certs) {
  namespace ib = iirb;
  // update_cert_list(): the fallback IPLBs in ipl_data are no longer needed; the certificates
  // move there from the BIOS heap, one after the other.
  uint64_t dest = b.machine.ipl_data();
  b.out.certificates.clear();
  for (const auto& f : certs) {
    Bytes der(f.length);
    if (!b.get(f.temp_address, der) || !b.put(dest, der)) return;
    b.out.certificates.push_back({dest, f.length, f.store_index});
    dest += f.length;
  }
  const size_t comps_len = ib::kInfoHeaderSize + b.out.components.size() * ib::kComponentEntrySize;
  const size_t certs_len = ib::kInfoHeaderSize + b.out.certificates.size() * ib::kCertificateEntrySize;
  if (ib::kHeaderSize + comps_len + certs_len > ib::kMaxSize) {
    b.panic("Not enough space to hold all components and certificates in IIRB");
    return;
  }
  Bytes r(ib::kHeaderSize + comps_len + certs_len);
  store_u32_be(r, 0, static_cast<uint32_t>(r.size()));
  size_t at = ib::kHeaderSize;
  store_u32_be(r, at + ib::kInfoLen, static_cast<uint32_t>(comps_len));
  store_u8(r, at + ib::kInfoType, ib::kTypeComponents);
  store_u16_be(r, at + ib::kInfoIiei, b.out.iiei);
  at += ib::kInfoHeaderSize;
  for (const auto& c : b.out.components) {
    store_u64_be(r, at + ib::kCompAddr, c.address);
    store_u64_be(r, at + ib::kCompLen, c.length);
    store_u8(r, at + ib::kCompFlags, c.flags);
    store_u16_be(r, at + ib::kCompCertIndex, c.cert_index);
    store_u32_be(r, at + ib::kCompCei, c.cei);
    at += ib::kComponentEntrySize;
  }
  store_u32_be(r, at + ib::kInfoLen, static_cast<uint32_t>(certs_len));
  store_u8(r, at + ib::kInfoType, ib::kTypeCertificates);
  at += ib::kInfoHeaderSize;
  for (const auto& c : b.out.certificates) {
    store_u64_be(r, at + ib::kCertAddr, c.address);
    store_u64_be(r, at + ib::kCertLen, c.length);
    at += ib::kCertificateEntrySize;
  }
  write_iplb(b, device);
  if (b.halted || !b.put(b.out.layout.iplb + hv::kIplbSize, r)) return;
  b.out.iirb = std::move(r);
}

}  // namespace sipl::fw::detail
