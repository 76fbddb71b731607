// INTERIM copy until feat/sign's appended_signature.cc is merged (then this file is deleted).
#include <fmt/format.h>

#include "sipl/image/appended_signature.h"

namespace sipl::image {

Result<std::optional<AppendedSignature>> parse_appended_signature(ByteSpan file, const std::string& path) {
  if (file.size() < kSignatureTrailerSize ||
      to_string(file.subspan(file.size() - kSignatureMarkerSize)) != kSignatureMarker)
    return std::optional<AppendedSignature>{};
  const size_t desc = file.size() - kSignatureTrailerSize;
  for (size_t i = 0; i < 8; ++i) {
    uint8_t v = std::to_integer<uint8_t>(file[desc + i]);
    if (i == 2 ? v != kIdTypePkcs7 : v != 0)
      return fail(ErrorCode::kBadInput, "bad appended signature descriptor", Location::at_offset(path, desc + i));
  }
  uint32_t sig_len = load_u32_be(file, desc + 8);
  if (sig_len == 0 || sig_len > desc)
    return fail(ErrorCode::kBadInput, fmt::format("sig_len {} does not fit the file", sig_len),
                Location::at_offset(path, desc + 8));
  AppendedSignature s;
  s.payload_size = desc - sig_len;
  s.payload = file.first(s.payload_size);
  s.signature = file.subspan(s.payload_size, sig_len);
  s.sig_len = sig_len;
  return std::optional<AppendedSignature>{s};
}

Bytes append_signature(ByteSpan payload, ByteSpan pkcs7_der) {
  Bytes out(payload.begin(), payload.end());
  out.insert(out.end(), pkcs7_der.begin(), pkcs7_der.end());
  Bytes d(kSignatureDescriptorSize);
  store_u8(d, 2, kIdTypePkcs7);
  store_u32_be(d, 8, static_cast<uint32_t>(pkcs7_der.size()));
  out.insert(out.end(), d.begin(), d.end());
  auto m = as_bytes(kSignatureMarker);
  out.insert(out.end(), m.begin(), m.end());
  return out;
}

}  // namespace sipl::image
