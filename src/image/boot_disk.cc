#include "sipl/image/boot_disk.h"

#include "sipl/base/bytes.h"
#include "sipl/base/reader.h"
#include "sipl/image/zipl_layout.h"

namespace sipl::image {

uint32_t boot_record_block_size(const DiskImage& disk) {
  Bytes head(zipl::mbr::kLength);
  if (disk.size() < head.size() || !disk.read(0, head)) return zipl::kBlockSize512;
  auto size = Reader(head, disk.path()).u16_be_at(zipl::mbr::kProgramTablePointer + zipl::blockptr::kSize,
                                                 "program table pointer block size");
  if (!size) return zipl::kBlockSize512;
  return *size == zipl::kBlockSize4096 ? zipl::kBlockSize4096 : zipl::kBlockSize512;
}

Result<DiskImage> open_boot_disk(const std::string& path, uint32_t block_size) {
  if (block_size != 0) return DiskImage::open(path, block_size);
  auto probe = DiskImage::open(path, zipl::kBlockSize512);
  if (!probe) return probe;
  const uint32_t named = boot_record_block_size(*probe);
  if (named == zipl::kBlockSize512) return probe;
  return DiskImage::open(path, named);
}

}  // namespace sipl::image
