#include "support/bios_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "sipl/image/sign_file.h"
#include "support/certs.h"
#include "support/run.h"

namespace sipl::test {

BiosHarness::BiosHarness(const std::vector<std::string>& certs, bool secure, UnixTime at) {
  hv::MachineOptions o;
  o.boot_certs = certs;
  o.secure_boot = secure;
  o.devices.push_back({hv::BootDeviceKind::kVirtioBlkCcw, "unused.img", 1, std::nullopt});
  auto m = hv::Machine::create(o, nullptr);
  if (!m) {
    ADD_FAILURE() << m.error().message;
    o.boot_certs.clear();
    o.secure_boot = false;
    m = hv::Machine::create(o, nullptr);
  }
  machine_ = std::make_unique<hv::Machine>(std::move(*m));
  memory_ = std::make_unique<hv::SparseGuestMemory>(o.ram_bytes);
  out_.mode = machine_->mode();
  out_.layout = fw::BiosLayout::at(machine_->bios_base());
  bios_ = std::unique_ptr<fw::detail::Bios>(new fw::detail::Bios{*machine_, *memory_, at, out_});
  bios_->mode = secure ? fw::detail::BiosMode::kSecure : fw::detail::BiosMode::kAudit;
}

bool BiosHarness::startup() { return fw::detail::secure_startup(*bios_); }

void make_2026_cert(const std::string& cert, const std::string& key, size_t padding) {
  CertSpec spec;
  spec.absolute = true;
  spec.not_before = 1767225600;  // 2026-01-01
  spec.not_after = 2082758400;   // 2036-01-01
  spec.padding_extension = padding;
  make_cert(spec, cert, key);
}

fw::Component load_entry(unsigned index, uint64_t address, Bytes bytes) {
  fw::Component c;
  c.type = fw::ComponentType::kLoad;
  c.index = index;
  c.address = address;
  c.length = bytes.size();
  c.bytes.append(own(std::move(bytes)));
  return c;
}

fw::Component signature_entry(unsigned index, Bytes der) {
  fw::Component c;
  c.type = fw::ComponentType::kSignature;
  c.index = index;
  c.signature = fw::ComponentSignature{1, static_cast<uint32_t>(der.size()), der};
  der.resize((der.size() + 511) / 512 * 512);
  c.length = der.size();
  c.bytes.append(own(std::move(der)));
  return c;
}

fw::Component exec_entry(unsigned index, uint64_t psw) {
  fw::Component c;
  c.type = fw::ComponentType::kExec;
  c.index = index;
  c.address = psw;
  return c;
}

uint64_t be_bytes(const Bytes& b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | static_cast<uint8_t>(b.at(off + i));
  return v;
}

Bytes file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes b(s.size());
  std::transform(s.begin(), s.end(), b.begin(), [](char c) { return std::byte(static_cast<uint8_t>(c)); });
  return b;
}

SignedBlob sign_global(const std::string& dir, const std::string& key, const std::string& cert, uint64_t psw) {
  auto r = sh("head -c 16384 /dev/urandom > '" + dir + "/code.bin'");
  if (r.exit_code != 0) ADD_FAILURE() << r.err;
  image::SignFileRequest req;
  req.file = dir + "/code.bin";
  req.key = key;
  req.cert = cert;
  req.sclab.kind = image::SclabKind::kGlobal;
  req.sclab.psw = psw;
  req.detached = dir + "/code.sig";
  req.output = dir + "/code.signed";
  auto s = image::sign_file(req);
  if (!s) ADD_FAILURE() << s.error().to_string();
  return {file_bytes(dir + "/code.signed"), file_bytes(dir + "/code.sig")};
}

}  // namespace sipl::test
