#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages sipl needs to build, test and demo; with the
# argument `fuzz`, also clang 14 and its libFuzzer/sanitizer runtimes (`make fuzz`).
# Only missing packages are installed; a machine that has them all is left alone.
set -euo pipefail
pkgs=(
  cmake ninja-build g++ pkg-config make
  libssl-dev openssl libcli11-dev nlohmann-json3-dev libfmt-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnutls-bin libgnutls28-dev
  linux-kbuild-6.1 qemu-utils xz-utils zlib1g-dev fdisk qemu-system-misc
  libxml2-dev libvirt0
)
# clang-14 only recommends libclang-rt-14-dev (libclang_rt.fuzzer, asan, ubsan), and recommends
# are not installed below.
[ "${1:-}" = fuzz ] && pkgs+=(clang libclang-rt-14-dev)
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
