// Guest memory as DIAG handlers see it: reads and writes at guest absolute addresses that
// can fail like a real access (addressing exception), never touching host memory outside
// the guest's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "sipl/base/byte_source.h"
#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::hv {

class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  // Every access below first forgets host_error(), so that it only ever explains the access
  // that just failed (the accesses themselves are the subclasses' do_*).

  // Returns false (nothing read) if any byte of [addr, addr+out.size()) is not guest memory.
  [[nodiscard]] bool read(uint64_t addr, MutableByteSpan out) const {
    host_error_.reset();
    return do_read(addr, out);
  }
  // Returns false (nothing written) if any byte of the range is not guest memory.
  [[nodiscard]] bool write(uint64_t addr, ByteSpan data) {
    host_error_.reset();
    return do_write(addr, data);
  }
  // Loads the bytes of `data` at `addr` like write(), but may keep the range instead of
  // reading it (the BIOS loading a 64 MiB kernel then costs nothing until DIAG 0x508 hashes
  // it). The default reads and writes. Returns false outside memory or when the source fails.
  [[nodiscard]] bool load(uint64_t addr, const SourceRange& data) {
    host_error_.reset();
    return do_load(addr, data);
  }
  // Calls `fn` with consecutive spans covering [addr, addr+len), without copying where the
  // memory allows (DIAG 0x508 hashes a component this way). Returns false, without calling
  // `fn`, when the range is not wholly guest memory, and false part-way when bytes loaded as a
  // disk range cannot be read any more (an I/O error). The default reads 1 MiB at a time.
  [[nodiscard]] bool visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const {
    host_error_.reset();
    return do_visit(addr, len, fn);
  }
  // Returns true if the whole range is accessible (QEMU's address_space_access_valid).
  [[nodiscard]] virtual bool accessible(uint64_t addr, uint64_t len) const = 0;

  // Why the last read, write, load or visit failed when it failed because a disk range loaded
  // with load() could not be read (a file that cannot be read any more, a corrupt qcow2 table);
  // empty after an access that succeeded or failed for a guest's reason (outside memory).
  // The false above is the guest's view (its access failed); this is the host's reason, with
  // the file and byte, for the prediction to name right after the access that failed.
  const std::optional<Error>& host_error() const { return host_error_; }

 protected:
  // Keeps `e` as host_error(); returns false.
  bool keep(const Error& e) const {
    host_error_ = e;
    return false;
  }

 private:
  virtual bool do_read(uint64_t addr, MutableByteSpan out) const = 0;
  virtual bool do_write(uint64_t addr, ByteSpan data) = 0;
  virtual bool do_load(uint64_t addr, const SourceRange& data);
  virtual bool do_visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const;

  mutable std::optional<Error> host_error_;
};

// A flat guest of `size` bytes starting at absolute address 0.
class FlatGuestMemory final : public GuestMemory {
 public:
  explicit FlatGuestMemory(uint64_t size) : mem_(size) {}
  [[nodiscard]] bool accessible(uint64_t addr, uint64_t len) const override;
  // Returns the raw bytes (for tests and for guest/ readers).
  ByteSpan bytes() const { return mem_; }
  MutableByteSpan bytes() { return mem_; }

 private:
  bool do_read(uint64_t addr, MutableByteSpan out) const override;
  bool do_write(uint64_t addr, ByteSpan data) override;
  bool do_visit(uint64_t addr, uint64_t len, const std::function<void(ByteSpan)>& fn) const override;

  Bytes mem_;
};

}  // namespace sipl::hv
