// Files as byte sources read on demand (pread), and ranges of sources copied into files
// without passing through a buffer as large as they are: copy_file_range(2) between files
// whose pages line up, so the kernel copies (or, on a reflink-capable filesystem, shares) the
// extents, and pread/pwrite in bounded pieces otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sipl/base/byte_source.h"
#include "sipl/base/file.h"
#include "sipl/base/result.h"

namespace sipl {

// A regular file opened read-only. Nothing is mapped; reads are pread(2) into the caller's
// buffer, so memory use does not grow with the file.
class FileSource final : public ByteSource {
 public:
  // Returns the file at `path`, or kIo naming it (also for FIFOs, character devices and
  // directories, which are refused without blocking, and block devices unless `kinds` allows).
  static Result<std::shared_ptr<const FileSource>> open(const std::string& path,
                                                        FileKinds kinds = FileKinds::kRegular);
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  ~FileSource() override;

  // Returns the size the file had when opened.
  uint64_t size() const { return size_; }
  // Returns the path given to open.
  const std::string& path() const { return path_; }
  // Returns the device's logical block size (BLKSSZGET) for a block device, 0 for a file.
  uint32_t logical_block_size() const { return logical_block_size_; }
  // Returns the descriptor (for copy_file_range); owned by this object.
  int fd() const { return fd_; }
  // Fills `out` from byte `offset`; kIo naming the path and offset when the file cannot be
  // read or ends early (it shrank while open).
  Status read(uint64_t offset, MutableByteSpan out) const override;

 private:
  FileSource(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint32_t logical_block_size_ = 0;
};

// Returns a range covering all of `file`.
SourceRange whole(std::shared_ptr<const FileSource> file);

// How write_range moves bytes from a FileSource (other sources are always read and written).
enum class CopyMethod {
  // copy_file_range when source and destination offsets agree modulo kPageAlignment (so a
  // reflink-capable file system can share extents), falling back to kReadWrite on EXDEV,
  // EINVAL, ENOSYS or EOPNOTSUPP; kReadWrite otherwise.
  kAuto,
  kReadWrite,  // pread/pwrite in pieces of at most kCopyPiece bytes
};
inline constexpr size_t kCopyPiece = 1 << 20;
inline constexpr uint64_t kPageAlignment = 4096;
// write_range starts the write-back of what it wrote every kWritebackPiece bytes.
inline constexpr uint64_t kWritebackPiece = 8 << 20;

// Writes the bytes of `range` to `fd` at byte `offset`. kIo naming `out_path` (write errors)
// or the source (read errors, a source that ends early) with the byte offset. Every
// kWritebackPiece bytes, and at the end, it asks the kernel to start writing them back
// (sync_file_range SYNC_FILE_RANGE_WRITE, a hint: it neither waits for the disk nor makes
// anything durable), so the device works while the copy goes on and the caller's fsync finds
// little left to write.
Status write_range(int fd, uint64_t offset, const SourceRange& range, const std::string& out_path,
                   CopyMethod method = CopyMethod::kAuto);

// Writes `bytes` to `fd` at byte `offset` (all of them, retrying short writes); kIo naming
// `out_path` and the offset.
Status write_at(int fd, uint64_t offset, ByteSpan bytes, const std::string& out_path);

}  // namespace sipl
