// Bytes read on demand from something that holds them (a disk image), instead of copies.
// A 64 MiB kernel travels from the disk through the boot-record walk into guest memory as a
// SourceRange and is read exactly once, in 256 KiB pieces (stream()), when DIAG 0x508 hashes it: no
// buffer as large as the component is ever allocated, filled or faulted in.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills `out` with the bytes at `offset`; an Error naming the place when they cannot be read
  // (the caller keeps the range inside the source).
  virtual Status read(uint64_t offset, MutableByteSpan out) const = 0;
};

// `length` bytes at `offset` of `source`, which the range keeps alive.
struct SourceRange {
  std::shared_ptr<const ByteSource> source;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// A source over bytes it owns (small components built in memory, tests).
class OwnedBytesSource final : public ByteSource {
 public:
  explicit OwnedBytesSource(Bytes b) : bytes_(std::move(b)) {}
  Status read(uint64_t offset, MutableByteSpan out) const override;
  // Returns the whole buffer.
  ByteSpan bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

// Returns a range covering all of `bytes` (moved into a new OwnedBytesSource).
SourceRange own(Bytes bytes);

// Returns the bytes of `range` read into one buffer (small ranges, tests).
Result<Bytes> read_all(const SourceRange& range);

// Calls `fn` with consecutive pieces of `range`, at most `chunk` bytes each, read into one
// reused buffer: the streaming read behind hashing a component. Stops at the first error.
Status stream(const SourceRange& range, const std::function<void(ByteSpan)>& fn, size_t chunk = 256 << 10);

}  // namespace sipl
