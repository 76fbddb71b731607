// Signing a file as `sipl sign` does, from paths: the key and certificate loaded (from files
// or a PKCS#11 token), the SCLAB
// asked for turned into the fields the BIOS checks, the component signed (sign.h), and the
// outputs written atomically: the signed file (in place, keeping its mode, or elsewhere), a
// detached signature (sign-file -d) or a saved copy of the appended one (sign-file -p).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sipl/base/finding.h"
#include "sipl/base/result.h"
#include "sipl/crypto/cms.h"
#include "sipl/crypto/pkcs11.h"
#include "sipl/image/sclab.h"
#include "sipl/image/sign.h"

namespace sipl::image {

// Which SCLAB to add before signing.
enum class SclabKind { kNone, kGlobal, kPlain };

// What the user says about the SCLAB; sclab_request() applies the BIOS's rules to it.
struct SclabOptions {
  SclabKind kind = SclabKind::kNone;
  std::optional<uint64_t> psw;        // global: the load PSW (required)
  std::optional<uint64_t> load_addr;  // sets OLA
  bool nuc = false;                   // global: no unsigned components
  bool single_component = false;      // global: SC
};

// Returns the SCLAB fields for `o`, or nullopt for kNone. The global SCLAB gets OPSW and OLA
// (the BIOS requires OLA there), its load address defaulting to where the PSW starts the
// component (true of zipl's stage 3 and of the kernel image). kUsage for options that do not
// belong to the kind (a PSW, NUC or SC on a plain SCLAB; any of them without a SCLAB) or a
// global SCLAB without a PSW.
Result<std::optional<SclabRequest>> sclab_request(const SclabOptions& o);

struct SignFileRequest {
  std::string file;
  std::string key;             // PEM private key file, or a pkcs11: URI of a key on a token
  crypto::TokenAccess access;  // its passphrase or token PIN (pin), and how to ask for a PIN
  std::string cert;            // PEM or DER signer certificate file, or a pkcs11: URI
  crypto::CmsSignOptions cms;
  bool resign = false;
  SclabOptions sclab;
  std::string output;          // the signed file; empty: replace `file` in place
  std::string detached;        // write only the DER signature here (sign-file -d); empty: append
  std::string save_signature;  // append and also write the DER signature here (sign-file -p)
  bool dry_run = false;        // sign in memory, write nothing
  // When the guest will boot: a signer certificate not valid then draws a warning (SignRequest::at).
  std::optional<UnixTime> at;
};

struct [[nodiscard]] SignFileResult {
  std::string file;
  std::optional<std::string> output;          // the signed file or component written (or that would be)
  std::optional<std::string> detached;
  std::optional<std::string> saved_signature;
  bool dry_run = false;
  crypto::CmsSignOptions cms;
  std::string key_description;  // e.g. "RSA 4096"
  uint64_t input_size = 0;
  uint64_t removed_signatures = 0;
  uint64_t signed_size = 0;     // bytes the signature covers
  uint64_t signature_size = 0;
  std::optional<uint64_t> output_size;  // bytes of `output`
  std::optional<Sclab> sclab;   // the SCLAB added, its offset counted in the signed component
  Findings warnings;            // what will keep the signature from verifying at boot
};

// Returns what was signed and written. Errors: kUsage for conflicting outputs or SCLAB options,
// kBadInput/kIo for unreadable or mismatched key, certificate and file (sign_component's).
Result<SignFileResult> sign_file(const SignFileRequest& request);

}  // namespace sipl::image
