// Files: read-only mappings (no copies of large inputs), bounded whole-file reads, and
// atomic writes (temporary file in the same directory, fsync, rename) so that nothing is
// ever left half-written.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl {

// Which kinds of file MappedFile::open accepts.
enum class FileKinds { kRegular, kRegularOrBlockDevice };

// A descriptor opened read-only by open_readable (the caller closes it) and what it is.
struct ReadableFile {
  int fd = -1;
  uint64_t size = 0;
  uint32_t logical_block_size = 0;  // block devices only (BLKSSZGET)
};

// Opens `path` read-only if it is a regular file or, when `kinds` allows, a block device (its
// size from BLKGETSIZE64); FIFOs, character devices and directories are refused (kIo naming the
// path) without blocking.
Result<ReadableFile> open_readable(const std::string& path, FileKinds kinds = FileKinds::kRegular);

// A read-only memory mapping of a whole regular file or block device (an LVM volume, a
// multipath LUN). Move-only; unmaps on destruction.
class MappedFile {
 public:
  // Returns the mapping of `path`, or kIo naming the path and the system's reason (also for
  // FIFOs, character devices and directories, which are never opened for reading, and for
  // block devices unless `kinds` allows them). A block device is opened read-only; its size
  // comes from BLKGETSIZE64 and its logical block size from BLKSSZGET.
  static Result<MappedFile> open(const std::string& path, FileKinds kinds = FileKinds::kRegular);

  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Returns the file's bytes (empty for an empty file).
  ByteSpan bytes() const { return {static_cast<const std::byte*>(addr_), size_}; }
  const std::string& path() const { return path_; }
  // Returns true when the mapping is of a block device.
  bool is_block_device() const { return logical_block_size_ != 0; }
  // Returns the device's logical block size (BLKSSZGET), 0 for a regular file.
  uint32_t logical_block_size() const { return logical_block_size_; }
  // Reads [offset, offset+out.size()) with pread(2) instead of through the mapping: for long
  // sequential reads (hashing a kernel) this avoids one page fault per 64 KiB of mapping,
  // which on virtual machines costs more than the copy (docs/PERFORMANCE.md). kIo naming the
  // path and offset on failure; the caller keeps the range inside the file.
  Status read_at(uint64_t offset, MutableByteSpan out) const;

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;  // kept open for read_at
  uint32_t logical_block_size_ = 0;
  std::string path_;
};

// What is at a path that is to be written as a disk: nothing yet, a regular file, or a block
// device (written in place: it cannot be replaced atomically).
struct DiskTarget {
  bool exists = false;
  bool block_device = false;
  uint64_t size = 0;
  uint32_t logical_block_size = 0;  // block devices only
};

// Returns what is at `path` without changing it. kUnsupported naming the path for directories,
// character devices, FIFOs and sockets, and for a block device unless `allow_block_device`.
Result<DiskTarget> inspect_disk_target(const std::string& path, bool allow_block_device);

// Opens the block device at `path` for writing in place (O_WRONLY | O_EXCL, so not while
// something holds it open exclusively, e.g. a mounted file system), calls `write` with the
// descriptor and the device's size (BLKGETSIZE64), then syncs it. kIo naming the path when it
// cannot be opened or synced; `write`'s error otherwise.
Status write_block_device(const std::string& path, const std::function<Status(int fd, uint64_t size)>& write);

// Returns the contents of the regular file `path`, refusing (kLimit) files over `max_size`
// bytes before reading any of them, and non-regular files (kIo) without opening them.
Result<Bytes> read_file(const std::string& path, uint64_t max_size);
// Returns read_file(path, max_size), or for `path` "-" everything on standard input, refused
// (kLimit, naming "standard input") as soon as more than `max_size` bytes arrive.
Result<Bytes> read_file_or_stdin(const std::string& path, uint64_t max_size);

// A temporary file in the directory of `path` that either replaces `path` (commit) or is
// removed when destroyed: the one mechanism behind every atomic write.
class AtomicFile {
 public:
  // Returns a new temporary file next to `path` (kIo naming `path` if it cannot be made).
  static Result<AtomicFile> create(const std::string& path);
  AtomicFile(AtomicFile&& o) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // Returns the descriptor to write through.
  int fd() const { return fd_; }
  // Returns an kIo error naming the final path, with the system's reason for `err`.
  Error error(const char* what, int err) const;
  // Sets `mode`, syncs, closes and renames the file into place; on failure removes it.
  Status commit(unsigned mode);

 private:
  AtomicFile(std::string path, std::string tmp, int fd) : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
};

// Writes `data` to `path` through a temporary file in the same directory and a rename.
// On failure nothing at `path` changes and the temporary file is removed.
Status write_file_atomic(const std::string& path, ByteSpan data, unsigned mode = 0644);
// The same for data given in pieces (written in order), so large outputs need no joined copy.
Status write_file_atomic(const std::string& path, std::span<const ByteSpan> pieces, unsigned mode = 0644);

}  // namespace sipl
