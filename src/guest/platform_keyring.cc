// load_ipl_certs and the path of each certificate into .platform. Messages are the kernel's:
// integrity_load_cert "Loading X.509 certificate: %s", integrity_add_key "Loaded X.509 cert
// '%s'" / "Problem loading X.509 certificate %d", add_to_platform_keyring "Error adding keys to
// platform keyring %s" (security/integrity/digsig.c, platform_certs/platform_keyring.c), all
// under pr_fmt "integrity: ".
#include "sipl/guest/platform_keyring.h"

#include <fmt/format.h>

#include "sipl/crypto/certificate.h"
#include "sipl/guest/linux_x509.h"

namespace sipl::guest {
namespace {

constexpr const char* kSource = "IPL:db";

// x509_check_for_self_signed after the parse: returns 0 or the errno, with the reason.
int check_self_signed(const LinuxCertificate& c, ByteSpan der, const GuestKernel& kernel, std::string& reason) {
  if (!c.self_issued()) return 0;  // not self-signed: nothing is verified when it is loaded
  if (c.akid_half_matches()) {
    reason = "its authority key identifier names it only in part (key id and issuer+serial disagree)";
    return kEkeyrejected;
  }
  const bool same_algo = c.key_algo == c.sig_algo || (c.key_algo.rfind("ecdsa-", 0) == 0 && c.sig_algo == "ecdsa");
  if (!same_algo) {
    reason = fmt::format("it is self-signed, but its {} key cannot have made its {} signature", c.key_algo, c.sig_algo);
    return kEkeyrejected;
  }
  // public_key_verify_signature needs the akcipher of the key: RSA is built into every
  // distribution kernel; ECDSA only where CONFIG_CRYPTO_ECDSA=y; SM2 and EC-RDSA are modules.
  const bool ecdsa = c.key_algo.rfind("ecdsa-", 0) == 0;
  if ((ecdsa && !kernel.ecdsa_builtin) || c.key_algo == "sm2" || c.key_algo == "ecrdsa") {
    reason = ecdsa ? fmt::format("ECDSA keys need ECDSA support built into the kernel (CONFIG_CRYPTO_ECDSA=y), "
                                 "not as a module: {} has it as a module, which cannot be loaded this early in "
                                 "the boot, so the self-signed certificate's {} signature cannot be checked",
                                 kernel.name, c.key_algo)
                   : fmt::format("{} is a module in {} and cannot be loaded this early in the boot", c.key_algo,
                                 kernel.name);
    return kEnoent;
  }
  auto cert = crypto::Certificate::from_der(der);
  if (!cert || !cert->verifies_own_signature()) {
    reason = "it is self-signed, but its signature does not verify with its own key";
    return kEkeyrejected;
  }
  return 0;
}

}  // namespace

std::vector<PlatformKeyLoad> load_ipl_certificates(const std::vector<Bytes>& certificates,
                                                   const GuestKernel& kernel) {
  std::vector<PlatformKeyLoad> out;
  for (size_t i = 0; i < certificates.size(); ++i) {
    PlatformKeyLoad l;
    l.index = i;
    l.dmesg.push_back(fmt::format("integrity: Loading X.509 certificate: {}", kSource));
    auto p = parse_like_linux(certificates[i]);
    int err = p.cert ? 0 : -p.error;
    std::string reason = p.reason;
    if (p.cert) {
      l.subject = p.cert->subject;
      err = check_self_signed(*p.cert, certificates[i], kernel, reason);
    }
    if (err == 0) {
      l.loaded = true;
      l.description = p.cert->description();
      // A key with the same description replaces the earlier one in the keyring.
      for (auto& earlier : out)
        if (earlier.loaded && earlier.description == l.description) earlier.loaded = false;
      l.dmesg.push_back(fmt::format("integrity: Loaded X.509 cert '{}'", l.description));
    } else {
      l.error = -err;
      l.reason = reason;
      l.dmesg.push_back(fmt::format("integrity: Problem loading X.509 certificate {}", l.error));
      l.dmesg.push_back(fmt::format("integrity: Error adding keys to platform keyring {}", kSource));
    }
    out.push_back(std::move(l));
  }
  return out;
}

Findings keyring_findings(const std::vector<PlatformKeyLoad>& loads, const GuestKernel& kernel) {
  Findings f;
  for (const auto& l : loads) {
    if (l.loaded || l.error == 0) continue;
    const std::string who = l.subject.empty() ? fmt::format("IPL report certificate {}", l.index)
                                              : fmt::format("IPL report certificate {} ('{}')", l.index, l.subject);
    f.push_back(Finding{Severity::kWarning, ids::kGuestPlatformKeyNotLoaded,
                        fmt::format("{} is not in the .platform keyring: {} ({} says \"Problem loading X.509 "
                                    "certificate {}\")",
                                    who, l.reason, kernel.name, l.error),
                        {{"index", std::to_string(l.index)},
                         {"subject", l.subject},
                         {"errno", std::to_string(l.error)},
                         {"reason", l.reason}}});
  }
  return f;
}

}  // namespace sipl::guest
