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
  # sipl audit --connect (libvirt's C API); its tests run libvirt's test driver, a libvirtd of
  # their own (libvirt-daemon-system: the libvirt-qemu user, /var/lib/libvirt/qemu), virsh and
  # virt-xml-validate (libvirt-clients); bc times the audit benchmark
  libvirt-dev libvirt-daemon-system libvirt-clients bc
  # the tests render the generated man pages (man --warnings -l) and run the zsh completion
  man-db groff-base zsh
  # the tests validate every --json document against its JSON Schema (data/schemas/json)
  python3 python3-jsonschema
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
# qemu-system-misc ships /usr/bin/qemu-system-s390x on Debian 12 (there is no qemu-system-s390x package).
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
