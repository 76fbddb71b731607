#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages sipl needs to build, test and demo.
# Only missing packages are installed; a machine that has them all is left alone.
set -euo pipefail
pkgs=(
  cmake ninja-build g++ pkg-config make
  libssl-dev openssl libcli11-dev nlohmann-json3-dev libfmt-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnutls-bin libgnutls28-dev
  linux-kbuild-6.1 qemu-utils xz-utils zlib1g-dev fdisk qemu-system-misc
  libxml2-dev libvirt0
  libp11-kit-dev libengine-pkcs11-openssl p11-kit-modules softhsm2 opensc
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
# PKCS#11 (sipl sign --key pkcs11:...): p11-kit's pkcs11.h to build; OpenSSL's pkcs11 engine
# (Debian 12 packages no pkcs11 provider) and p11-kit-proxy to run; SoftHSM2 and pkcs11-tool
# (opensc) as the token and a peer in the tests.
# qemu-system-misc ships /usr/bin/qemu-system-s390x on Debian 12 (there is no qemu-system-s390x package).
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
