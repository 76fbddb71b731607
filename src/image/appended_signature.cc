// Appended signatures as the kernel's scripts/sign-file writes them and as kernel/module
// (mod_check_sig) and QEMU's zipl path read them: everything is found backward from the end,
// and sig_len is range-checked before it positions anything.
#include "sipl/image/appended_signature.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sipl/base/reader.h"

namespace sipl::image {
namespace {

bool ends_with_marker(ByteSpan data) {
  if (data.size() < kSignatureMarkerSize) return false;
  return std::ranges::equal(data.last(kSignatureMarkerSize), as_bytes(kSignatureMarker));
}

struct ZeroField {
  size_t offset;
  const char* name;
};

// The descriptor fields that must be zero for a PKCS#7 signature, in struct order.
constexpr std::array<ZeroField, 7> kZeroFields{{
    {kDescriptorAlgoOffset, "algo"},
    {kDescriptorHashOffset, "hash"},
    {kDescriptorSignerLenOffset, "signer_len"},
    {kDescriptorKeyIdLenOffset, "key_id_len"},
    {kDescriptorPadOffset + 0, "pad[0]"},
    {kDescriptorPadOffset + 1, "pad[1]"},
    {kDescriptorPadOffset + 2, "pad[2]"},
}};
static_assert(std::ranges::all_of(kZeroFields, [](const ZeroField& f) { return f.offset < kSignatureDescriptorSize; }));

}  // namespace

Result<std::optional<SignatureTrailer>> parse_signature_trailer(ByteSpan tail, uint64_t file_size,
                                                                 const std::string& path) {
  if (!ends_with_marker(tail)) return std::optional<SignatureTrailer>{};
  if (file_size < kSignatureTrailerSize || tail.size() < kSignatureTrailerSize)
    return fail(ErrorCode::kBadInput,
                fmt::format("file ends in the appended-signature marker but is only {} bytes, too short "
                            "for the {}-byte signature descriptor before it",
                            file_size, kSignatureDescriptorSize),
                Location::at_offset(path, 0));

  const uint64_t desc_off = file_size - kSignatureTrailerSize;  // bytes before the descriptor
  // `tail` is the end of the file: its first byte lies at file_size - tail.size().
  const Reader r(tail, path, file_size - tail.size(), "the file");
  auto d = r.fixed_at<kSignatureDescriptorSize>(tail.size() - kSignatureTrailerSize, "signature descriptor");
  if (!d) return tl::unexpected(d.error());
  const Fixed<kSignatureDescriptorSize>& desc = *d;
  auto field_at = [&](size_t rel) { return Location::at_offset(path, desc_off + rel); };

  // sig_len first and before any use, as the kernel's mod_check_sig does.
  const uint32_t sig_len = desc.u32_be<kDescriptorSigLenOffset>();
  if (sig_len == 0)
    return fail(ErrorCode::kBadInput, "signature descriptor sig_len is 0: the trailer announces an empty signature",
                field_at(kDescriptorSigLenOffset));
  if (sig_len > desc_off)
    return fail(ErrorCode::kBadInput,
                fmt::format("signature descriptor sig_len is {} but only {} bytes precede the descriptor",
                            sig_len, desc_off),
                field_at(kDescriptorSigLenOffset));

  const auto id_type = desc.u8<kDescriptorIdTypeOffset>();
  if (id_type != kIdTypePkcs7)
    return fail(ErrorCode::kBadInput,
                fmt::format("signature descriptor id_type is {}, expected {} (PKCS#7)", id_type, kIdTypePkcs7),
                field_at(kDescriptorIdTypeOffset));

  for (const auto& f : kZeroFields) {
    const auto v = std::to_integer<uint8_t>(desc.data()[f.offset]);  // in range: static_assert above
    if (v != 0)
      return fail(ErrorCode::kBadInput,
                  fmt::format("signature descriptor field {} is {}, expected 0 for a PKCS#7 signature", f.name, v),
                  field_at(f.offset));
  }
  return std::optional<SignatureTrailer>{SignatureTrailer{desc_off - sig_len, sig_len}};
}

Result<std::optional<AppendedSignature>> parse_appended_signature(ByteSpan file, const std::string& path) {
  auto t = parse_signature_trailer(file.last(std::min(file.size(), kSignatureTrailerSize)), file.size(), path);
  if (!t) return tl::unexpected(t.error());
  if (!*t) return std::optional<AppendedSignature>{};
  AppendedSignature sig;
  sig.payload_size = (*t)->payload_size;
  sig.sig_len = (*t)->sig_len;
  sig.payload = file.first(sig.payload_size);
  sig.signature = file.subspan(sig.payload_size, sig.sig_len);
  sig.signed_twice = ends_with_marker(sig.payload);
  return std::optional<AppendedSignature>{sig};
}

Bytes signature_trailer(uint32_t sig_len) {
  Bytes t(kSignatureTrailerSize, std::byte{0});
  store_u8(t, kDescriptorIdTypeOffset, kIdTypePkcs7);
  store_u32_be(t, kDescriptorSigLenOffset, sig_len);
  store_bytes(t, kSignatureDescriptorSize, as_bytes(kSignatureMarker));
  return t;
}

Bytes append_signature(ByteSpan payload, ByteSpan pkcs7_der) {
  Bytes out;
  out.reserve(payload.size() + pkcs7_der.size() + kSignatureTrailerSize);
  out.insert(out.end(), payload.begin(), payload.end());
  out.insert(out.end(), pkcs7_der.begin(), pkcs7_der.end());
  // A DER blob over 4 GiB cannot be described by sig_len; no signer produces one (DIAG 0x508
  // stops at 4096 bytes), so the caller's contract is a blob that fits.
  const Bytes trailer = signature_trailer(static_cast<uint32_t>(pkcs7_der.size()));
  out.insert(out.end(), trailer.begin(), trailer.end());
  return out;
}

Result<ByteSpan> strip_appended_signatures(ByteSpan file, const std::string& path) {
  // Each round removes at least 41 bytes (trailer plus a non-empty signature), so the loop
  // ends after at most size/41 rounds.
  ByteSpan rest = file;
  for (;;) {
    auto parsed = parse_appended_signature(rest, path);
    if (!parsed) return tl::unexpected(parsed.error());
    if (!*parsed) return rest;
    rest = (*parsed)->payload;
  }
}

}  // namespace sipl::image
