#include "sipl/base/reader.h"

#include <fmt/format.h>

namespace sipl {
namespace {
std::string_view region_name(std::string_view region) { return region.empty() ? "the input" : region; }
}  // namespace

Error Reader::error_at(size_t off, std::string message) const {
  return Error{ErrorCode::kBadInput, std::move(message), location_at(off)};
}

// The message names what was read and where its region ends; the location carries the
// absolute offset the read started at, so "disk.img: byte 70: ..." points at the field.
[[gnu::cold]] tl::unexpected<Error> Reader::short_read(size_t off, size_t n, std::string_view what) const {
  return tl::unexpected(error_at(off, fmt::format("{} ({} bytes) runs past the end of {} at byte {}", what, n,
                                                  region_name(region_), base_ + data_.size())));
}

[[gnu::cold]] tl::unexpected<Error> Reader::bad_seek(size_t off, std::string_view what) const {
  return tl::unexpected(error_at(off, fmt::format("{} is past the end of {} at byte {}", what, region_name(region_),
                                                  base_ + data_.size())));
}

}  // namespace sipl
