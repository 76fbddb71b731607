#!/usr/bin/env bash
# The bundled example, run by `make demo`: a distribution signing key and a site certificate
# directory, boot components signed with SCLAB trailers, a zipl SCSI-scheme boot disk, and
# what the s390x guest will see at each step. Everything is generated under build/demo.
set -euo pipefail
SIPL=$(realpath "${1:-build/default/src/cli/sipl}")
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)/build/demo
rm -rf "$out"
mkdir -p "$out/site-certs"
cd "$out"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}" >&2; "${@:2}"; }

step "A code-signing key and certificate usable by QEMU and by the kernel's sign-file" \
  "$SIPL" keygen --type rsa2048 --cn "Example Distro Secure IPL signing key" --key signer.key --cert signer.pem
# A second, unrelated site certificate (ECDSA P-521: VCE key type 1) in a directory.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes -days 730 \
  -subj "/O=Example Site/CN=Site backup key" -addext "keyUsage=digitalSignature" \
  -keyout site-certs/backup.key -out site-certs/backup-p521.pem 2>/dev/null
cp "$here/site-certs-README.txt" site-certs/README.txt

step "The certificate store QEMU builds from boot-certs.0.path and boot-certs.1.path" \
  "$SIPL" certs signer.pem site-certs

# Stand-ins for zipl's stage3.bin and a kernel image (the simulation loads and verifies them;
# it does not execute them). Real ones come from s390-tools and the distribution's kernel.
head -c 12288 /dev/urandom > stage3.bin
head -c 262144 /dev/urandom > vmlinuz

step "Sign stage 3 with the global SCLAB (its PSW is zipl's EXEC PSW) and the kernel with a plain one" \
  "$SIPL" sign --key signer.key --cert signer.pem --sclab global --psw 0x000800008000A000 -o stage3.signed stage3.bin
"$SIPL" sign --key signer.key --cert signer.pem --sclab plain --load-addr 0x10000 -o vmlinuz.signed vmlinuz

step "Check, before any boot, that the guest's store verifies the kernel as DIAG 0x508 will" \
  "$SIPL" verify --block-size 512 vmlinuz.signed signer.pem site-certs

step "Write a zipl SCSI-scheme boot disk as 'zipl --secure 1' would" \
  "$SIPL" mkdisk -o disk.img --stage3 stage3.signed --kernel vmlinuz.signed \
  --parmline "console=ttysclp0 root=/dev/vda1" --secure 1

step "Read the disk back the way the s390-ccw BIOS walks it" \
  "$SIPL" inspect disk.img

step "Predict the guest's boot in Audit mode (certificates, secure-boot off)" \
  "$SIPL" boot --disk disk.img --boot-certs signer.pem --boot-certs site-certs

step "Predict it in Secure mode, from the QEMU command line a user would run" \
  "$SIPL" boot -- qemu-system-s390x -machine "s390-ccw-virtio,boot-certs.0.path=$out/signer.pem,secure-boot=on" \
  -cpu max -drive "file=$out/disk.img,format=raw,if=none,id=d0" -device virtio-blk-ccw,drive=d0,bootindex=1

# The same guest described for libvirt (its final <boot-certs><path> form), pointing at the demo files.
sed -e "s|<path>/etc/pki/s390/boot-certs</path>|<path>$out/site-certs</path>|" \
    -e "s|<path>/home/user/certs/signing.pem</path>|<path>$out/signer.pem</path>|" \
    -e "s|type='qcow2'|type='raw'|" -e "s|/var/lib/libvirt/images/secure-guest.qcow2|$out/disk.img|" \
    "$here/domains/libvirt-form.xml" > secure-guest.xml

step "Validate the libvirt domain XML with libvirt's rules" \
  "$SIPL" domain validate --qemu-version 11.2.0 secure-guest.xml

step "The QEMU command line libvirt would build from it" \
  "$SIPL" domain to-qemu --qemu-version 11.2.0 secure-guest.xml

step "Predict the boot of the domain itself" \
  "$SIPL" boot --domain secure-guest.xml
