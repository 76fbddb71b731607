// What Linux does with the certificates of the IPL report at boot
// (security/integrity/platform_certs/load_ipl_s390.c load_ipl_certs): each one, in list order,
// goes through add_to_platform_keyring("IPL:db") -> integrity_load_cert -> integrity_add_key ->
// key_create_or_update(.platform, "asymmetric"), which runs the X.509 parser
// (guest/linux_x509.h). The console lines it prints, which keys land in `.platform` under which
// description, and why the others do not, depend on the guest kernel: whether the algorithm
// a self-signed certificate's signature needs is built in (a module cannot be loaded at that
// point of the boot).
#pragma once

#include <string>
#include <vector>

#include "sipl/base/bytes.h"
#include "sipl/base/finding.h"

namespace sipl::guest {

// The guest kernel, as far as loading IPL certificates goes. The default is Debian 12's Linux
// 6.1 (linux-image-6.1.0-*-s390x): RSA built in, ECDSA (CONFIG_CRYPTO_ECDSA=m) a module.
struct GuestKernel {
  std::string name = "Debian 12's Linux 6.1";
  // CONFIG_CRYPTO_ECDSA=y: a self-signed ECDSA certificate's signature can be checked when
  // the certificate is loaded. With =m the kernel answers -ENOENT (-2) and the key is not added.
  bool ecdsa_builtin = false;
};

// What happened to one certificate of the IPL report.
struct PlatformKeyLoad {
  size_t index = 0;            // position in the report's certificate list (0-based)
  bool loaded = false;         // the key is in .platform
  std::string description;     // its key description (`keyctl show %:.platform`), when loaded
  int error = 0;               // the negative errno Linux prints, when not loaded
  std::string subject;         // the certificate's subject as the kernel names it ("" if unparsed)
  std::string reason;          // why it was not loaded, for a person
  std::vector<std::string> dmesg;  // Linux's console lines for it, "integrity: " prefix included
};

// Returns, for each DER certificate in report order, what Linux 's load_ipl_certs does with it.
// A key whose description repeats an earlier one replaces it in the keyring (the earlier one's
// `loaded` is cleared), as key_create_or_update's keyring link does.
std::vector<PlatformKeyLoad> load_ipl_certificates(const std::vector<Bytes>& certificates,
                                                   const GuestKernel& kernel);

// Returns one finding per certificate that did not land in .platform: id
// "guest.platform_key_not_loaded", the certificate and the reason in the message, and the
// parameters index, subject, errno and reason.
Findings keyring_findings(const std::vector<PlatformKeyLoad>& loads, const GuestKernel& kernel);

}  // namespace sipl::guest
