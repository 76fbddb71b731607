// A BIOS driven piece by piece, for the rules no disk can reach (the 127-entry component
// list cap, the certificate-fetch failures of DIAG 0x320): a real hv::Machine (certificate
// store built from PEM files), sparse guest memory, and fw::detail::Bios from the engine's
// internal header (src/ is on the test include path), plus boot programs built in memory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fw/secure_ipl_internal.h"
#include "sipl/hv/machine.h"
#include "sipl/hv/sparse_guest_memory.h"

namespace sipl::test {

class BiosHarness {
 public:
  // Builds the machine (boot certificates `certs`, secure-boot on for `secure`, CPU max,
  // one virtio-blk boot device that is never opened) and a BIOS in Secure or Audit mode at
  // time `at`. Fails the calling test (ADD_FAILURE) when QEMU would refuse the machine.
  BiosHarness(const std::vector<std::string>& certs, bool secure, UnixTime at);

  // Runs the start-up facility checks and the VCSSB query (secure_startup); returns its result.
  bool startup();

  fw::detail::Bios& bios() { return *bios_; }
  fw::IplOutcome& out() { return out_; }
  hv::GuestMemory& memory() { return *memory_; }

 private:
  std::unique_ptr<hv::Machine> machine_;
  std::unique_ptr<hv::SparseGuestMemory> memory_;
  fw::IplOutcome out_;
  std::unique_ptr<fw::detail::Bios> bios_;
};

// Writes a certificate and key (openssl CLI) valid 2026-01-01 .. 2036-01-01, so the harness's
// `at` (2026-06-01 in the tests) falls inside; `padding` bytes of extension make it larger.
void make_2026_cert(const std::string& cert, const std::string& key, size_t padding = 0);

// Returns a LOAD entry at `address` loading `bytes`.
fw::Component load_entry(unsigned index, uint64_t address, Bytes bytes);
// Returns a SIGNATURE entry (format 1, DER) carrying `der`, padded to whole 512-byte blocks.
fw::Component signature_entry(unsigned index, Bytes der);
// Returns the EXEC entry with load PSW `psw`.
fw::Component exec_entry(unsigned index, uint64_t psw);

// A component signed as `sipl sign --sclab global --psw P --detached` signs it: the bytes the
// disk would load and the DER signature.
struct SignedBlob {
  Bytes component;
  Bytes signature;
};
// Returns 16 KiB of pseudo-random code signed by key/cert with a global SCLAB (load PSW
// `psw`, load address psw & 0x7FFFFFFF), made by image::sign_file in `dir`. ADD_FAILURE on error.
SignedBlob sign_global(const std::string& dir, const std::string& key, const std::string& cert, uint64_t psw);

// Returns the big-endian unsigned integer of `n` bytes at `off` of `b`.
uint64_t be_bytes(const Bytes& b, size_t off, size_t n);

// Returns the bytes of a file.
Bytes file_bytes(const std::string& path);

}  // namespace sipl::test
