#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages sipl needs to build, test and demo.
# Only missing packages are installed; a machine that has them all is left alone.
#   scripts/deps.sh        everything: build, tests (the package tests too), demo, benchmarks
#   scripts/deps.sh deb    only what `make deb` needs: Debian's packaging tools and the
#                          Build-Depends of debian/control (apt-get build-dep reads them there)
#   scripts/deps.sh fuzz   everything, and clang 14 with its libFuzzer/sanitizer runtimes
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
packaging=(dpkg-dev debhelper lintian)
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
  # PKCS#11 (sipl sign --key pkcs11:...): p11-kit's pkcs11.h to build; OpenSSL's pkcs11 engine
  # (Debian 12 packages no pkcs11 provider) and p11-kit-proxy to run; SoftHSM2 and pkcs11-tool
  # (opensc) as the token and a peer in the tests.
  libp11-kit-dev libengine-pkcs11-openssl p11-kit-modules softhsm2 opensc
  "${packaging[@]}"
)
[ "${1:-}" = deb ] && pkgs=("${packaging[@]}")
# clang-14 only recommends libclang-rt-14-dev (libclang_rt.fuzzer, asan, ubsan), and recommends
# are not installed below.
[ "${1:-}" = fuzz ] && pkgs+=(clang libclang-rt-14-dev)

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
updated=""
apt_update() { [ -n "$updated" ] || $SUDO apt-get update -qq; updated=1; }

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  # qemu-system-misc ships /usr/bin/qemu-system-s390x on Debian 12 (there is no qemu-system-s390x package).
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = deb ] && ! (cd "$repo" && dpkg-checkbuilddeps 2>/dev/null); then
  echo "deps: installing the Build-Depends of debian/control" >&2
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get build-dep -y -qq --no-install-recommends "$repo" >/dev/null
fi
exit 0
