// Fuzzes the SignedData parser and GnuTLS-equivalent verification (crypto/cms_verify.h).
// Invariants, beyond "no crash, no hang":
//  - a blob that does not parse never verifies, and nothing verifies without signer info #0;
//  - a parse error names a byte inside the input, and verify_detached reports it as one
//    malformed_signature finding with every candidate unusable; a blob that parses is
//    summarized by the verdict as by the parser;
//  - with the genuine signature (input starting with 0x01), a content verifies exactly when it
//    equals the signed content: a signature over C never vouches for anything else.
// Seeds are built in code (a P-256 key, its certificate, a signature over a fixed content,
// and truncations/bit flips of it) and replayed on the empty input.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "sipl/crypto/cms.h"
#include "sipl/crypto/cms_verify.h"
#include "sipl/crypto/private_key.h"
#include "sipl/crypto/self_signed.h"
#include "seed_disk.h"

namespace {

using namespace sipl;

struct Fixture {
  std::optional<crypto::Certificate> cert;
  Bytes content;
  Bytes signature;
};

const Fixture& fixture() {
  static Fixture f = [] {
    Fixture x;
    std::string text = "component bytes signed for the fuzzer";
    x.content.assign(as_bytes(text).begin(), as_bytes(text).end());
    auto key = crypto::PrivateKey::generate(crypto::KeyType::kP256);
    if (!key) std::abort();
    crypto::SelfSignedOptions opt;
    opt.not_before = 0;
    opt.days = 36500;
    auto pem = crypto::make_self_signed_certificate(*key, opt);
    if (!pem) std::abort();
    auto cert = crypto::Certificate::from_pem(as_bytes(*pem));
    if (!cert) std::abort();
    x.cert = *cert;
    auto sig = crypto::sign_detached_cms(x.content, *key, *cert, {});
    if (!sig) std::abort();
    x.signature = *sig;
    return x;
  }();
  return f;
}

void check(ByteSpan sig, ByteSpan content) {
  const Fixture& f = fixture();
  const crypto::Certificate* certs[] = {&*f.cert, &*f.cert};
  constexpr sipl::UnixTime kAt = 1000000000;  // 2001, inside the certificate's window
  auto v = crypto::verify_detached(sig, content, certs, kAt);
  auto parsed = crypto::DetachedSignature::parse(sig, "fuzz");
  if (v.verified && (!parsed || parsed->summary().signer_count == 0)) std::abort();
  if (!parsed) {
    // A blob that does not parse is a grammar violation at a byte of the input, and the verdict
    // says so: one malformed_signature finding, every candidate unusable.
    // The one exception: PEM text is refused as a whole ("PEM detected", no offset).
    const auto& e = parsed.error();
    if (e.code != ErrorCode::kBadInput) std::abort();
    if (e.message.starts_with("PEM detected")) {
      const auto text = std::find_if(sig.begin(), sig.end(), [](std::byte b) {
        return !std::isspace(std::to_integer<unsigned char>(b));
      });
      constexpr std::string_view kBegin = "-----BEGIN ";
      if (static_cast<size_t>(sig.end() - text) < kBegin.size() ||
          std::memcmp(&*text, kBegin.data(), kBegin.size()) != 0 || e.where.offset)
        std::abort();
    } else if (!e.where.offset || *e.where.offset > sig.size()) {
      std::abort();
    }
    if (v.signature || v.findings.size() != 1 || v.findings[0].id != "verify.malformed_signature") std::abort();
    for (const auto& c : v.candidates)
      if (c.status != crypto::CandidateStatus::kSignatureUnusable) std::abort();
  } else if (!v.signature || v.signature->signer_count != parsed->summary().signer_count) {
    std::abort();
  }
  if (v.verified && !v.signature) std::abort();
  if (v.candidates.size() != 2) std::abort();
  if (v.verified && v.index != 0u) std::abort();  // first success wins
  bool genuine = sig.size() == f.signature.size() && std::memcmp(sig.data(), f.signature.data(), sig.size()) == 0;
  if (genuine) {
    bool same = content.size() == f.content.size() && std::memcmp(content.data(), f.content.data(), content.size()) == 0;
    if (v.verified != same) std::abort();
  }
}

// Runs a seed and, with SIPL_FUZZ_SEED_DIR set, writes it as the input that means the same.
void seed(ByteSpan sig, ByteSpan content) {
  const Fixture& f = fixture();
  if (content.size() == f.content.size() && std::equal(content.begin(), content.end(), f.content.begin()) &&
      !sig.empty() && sig[0] != std::byte{0x01}) {
    fuzz::dump_seed(sig);
  } else if (sig.size() == f.signature.size() && std::equal(sig.begin(), sig.end(), f.signature.begin())) {
    Bytes in{std::byte{0x01}};
    in.insert(in.end(), content.begin(), content.end());
    fuzz::dump_seed(in);
  }
  check(sig, content);
}

void seeds() {
  const Fixture& f = fixture();
  seed(f.signature, f.content);
  seed(f.signature, ByteSpan(f.content).first(f.content.size() - 1));
  Bytes s = f.signature;
  for (size_t i = 0; i < s.size(); i += 7) {
    seed(ByteSpan(s).first(i), f.content);
    s[i] ^= std::byte{0x41};
    seed(s, f.content);
    s[i] ^= std::byte{0x41};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    seeds();
    return 0;
  }
  ByteSpan in(reinterpret_cast<const std::byte*>(data), size);
  if (in[0] == std::byte{0x01}) check(fixture().signature, in.subspan(1));  // genuine signature, fuzzed content
  else check(in, fixture().content);                                          // fuzzed signature
  return 0;
}
