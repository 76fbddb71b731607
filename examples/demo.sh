#!/usr/bin/env bash
# The bundled example: a distribution's signing certificate plus a directory of site
# certificates, shown as the s390x guest will see them. Run by `make demo`.
set -euo pipefail
SIPL=${1:-build/default/src/cli/sipl}
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)/build/demo
rm -rf "$out"
mkdir -p "$out/site-certs"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}" >&2; "${@:2}"; }

# Example certificates are generated, never shipped: a code-signing RSA key like a
# distribution's, and a site directory with an ECDSA P-521 key (VCE key type 1).
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/O=Example Distro/CN=Secure IPL signing key" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=digitalSignature" \
  -addext "extendedKeyUsage=codeSigning" -keyout "$out/signer.key" -out "$out/signer.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes -days 730 \
  -subj "/O=Example Site/CN=Site backup key" -addext "keyUsage=digitalSignature" \
  -keyout "$out/site-certs/backup.key" -out "$out/site-certs/backup-p521.pem" 2>/dev/null
cp "$here/site-certs-README.txt" "$out/site-certs/README.txt"

step "The certificate store QEMU builds from boot-certs.0.path and boot-certs.1.path" \
  "$SIPL" certs "$out/signer.pem" "$out/site-certs"
