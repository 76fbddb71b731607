// Linux appended signatures ("module signature", made by the kernel's scripts/sign-file):
//   file bytes | PKCS#7 SignedData (DER, sig_len bytes) | 12-byte descriptor | marker (28 bytes)
// Linux scripts/sign-file.c, include/linux/module_signature.h. Parsed backward from the end;
// sig_len is checked against the file size before use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/bytes.h"
#include "sipl/base/result.h"

namespace sipl::image {

inline constexpr std::string_view kSignatureMarker = "~Module signature appended~\n";
inline constexpr size_t kSignatureMarkerSize = 28;
inline constexpr size_t kSignatureDescriptorSize = 12;
inline constexpr size_t kSignatureTrailerSize = kSignatureMarkerSize + kSignatureDescriptorSize;  // 40
inline constexpr uint8_t kIdTypePkcs7 = 2;

struct AppendedSignature {
  ByteSpan payload;    // the signed bytes (file without signature and trailer)
  ByteSpan signature;  // the DER PKCS#7 blob (sig_len bytes)
  uint64_t payload_size = 0;
  uint32_t sig_len = 0;
  // True when the payload itself ends in another appended signature (file signed twice:
  // the outer signature covers the inner one, which breaks verification of the component).
  bool signed_twice = false;
};

// Returns nullopt when `file` does not end in the marker (unsigned). Returns an Error
// (kBadInput, naming `path` and the byte offset of the bad field) for a malformed trailer:
// non-zero descriptor fields, id_type != 2, sig_len larger than the file allows.
Result<std::optional<AppendedSignature>> parse_appended_signature(ByteSpan file, const std::string& path);

// Where the parts of a signed file lie: payload [0, payload_size), then sig_len bytes of DER,
// then the 40-byte trailer.
struct SignatureTrailer {
  uint64_t payload_size = 0;
  uint32_t sig_len = 0;
};

// parse_appended_signature for a file of `file_size` bytes of which `tail` holds the last
// min(file_size, 40) or more: the same answers and errors (byte offsets into the whole file),
// without reading the file's other bytes.
Result<std::optional<SignatureTrailer>> parse_signature_trailer(ByteSpan tail, uint64_t file_size,
                                                                 const std::string& path);

// Returns `payload` followed by `pkcs7_der`, the descriptor and the marker.
Bytes append_signature(ByteSpan payload, ByteSpan pkcs7_der);

// Byte offsets inside the 12-byte descriptor (struct module_signature, all u8 but sig_len).
inline constexpr size_t kDescriptorAlgoOffset = 0;
inline constexpr size_t kDescriptorHashOffset = 1;
inline constexpr size_t kDescriptorIdTypeOffset = 2;
inline constexpr size_t kDescriptorSignerLenOffset = 3;
inline constexpr size_t kDescriptorKeyIdLenOffset = 4;
inline constexpr size_t kDescriptorPadOffset = 5;  // 3 bytes
inline constexpr size_t kDescriptorSigLenOffset = 8;  // u32 big-endian
static_assert(kDescriptorSigLenOffset + 4 == kSignatureDescriptorSize);

// Returns the 40-byte trailer (descriptor with `sig_len`, then the marker) sign-file writes
// after a signature of `sig_len` bytes.
Bytes signature_trailer(uint32_t sig_len);

// Returns `file` without every appended signature it carries (outermost first, so a file
// signed twice comes back unsigned), or `file` itself when it is unsigned. Errors as
// parse_appended_signature for the first malformed trailer met.
Result<ByteSpan> strip_appended_signatures(ByteSpan file, const std::string& path);

}  // namespace sipl::image
