// QEMU versions as libvirt gates features on them (e.g. boot-certs needs 11.2.0, the
// virtio-ccw loadparm device property 9.2.0).
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "sipl/base/result.h"

namespace sipl::mgmt {

struct QemuVersion {
  unsigned major = 0;
  unsigned minor = 0;
  unsigned micro = 0;
  auto operator<=>(const QemuVersion&) const = default;
  // Returns "11.2.0".
  std::string to_string() const;
};

// The newest QEMU sipl models: the first with boot-certs and secure-boot.
inline constexpr QemuVersion kQemuBootCerts{11, 2, 0};
// The first QEMU with the virtio-ccw "loadparm" device property.
inline constexpr QemuVersion kQemuDeviceLoadparm{9, 2, 0};

// Returns the version in "11.2", "11.2.0" or "QEMU emulator version 7.2.22 (Debian ...)".
Result<QemuVersion> parse_qemu_version(std::string_view text);

}  // namespace sipl::mgmt
