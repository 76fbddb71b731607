#!/bin/sh
# Issue 14's performance scenario: 1,000 domain XMLs sharing 10 disks and 5 certificate stores,
# audited by `sipl audit` over a 90-day horizon. Usage: audit_scenario.sh SIPL DIR [RUNS]
# Builds DIR once (idempotent): 10 zipl disks, each a 12 KiB stage 3 and an 8 MiB kernel signed
# by one of two RSA-2048 keys (sipl keygen); 5 stores of 8 certificates (7 P-256 certificates
# that verify nothing, then one of the two signers, one store with neither); 1,000 domains,
# domain i using disk i mod 10 and store i mod 5, Secure mode for even i, Audit mode for odd i.
# Then times the audit RUNS times (default 5) and prints each wall-clock time and the stats.
set -eu
sipl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
runs=${3:-5}
mkdir -p "$dir"
cd "$dir"
if [ ! -f xml/d0999.xml ]; then
  at=2026-01-01T00:00:00Z
  for k in 0 1; do
    "$sipl" keygen --force --at $at --days 200 --cn "bench signer $k" --key s$k.key --cert s$k.pem >/dev/null
  done
  for s in 0 1 2 3 4; do
    mkdir -p store$s
    for c in 1 2 3 4 5 6 7; do
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
        -subj "/CN=bench store $s other $c" -days 3650 -out store$s/c$c.pem 2>/dev/null
    done
    [ $s -lt 4 ] && cp s$((s % 2)).pem store$s/z-signer.pem
  done
  for d in 0 1 2 3 4 5 6 7 8 9; do
    k=$((d % 2))
    head -c 12288 /dev/urandom > stage3.bin
    head -c 8388608 /dev/urandom > kernel
    "$sipl" sign --key s$k.key --cert s$k.pem --sclab global --psw 0x000800008000A000 -o stage3.s stage3.bin >/dev/null
    "$sipl" sign --key s$k.key --cert s$k.pem --sclab plain -o kernel.s kernel >/dev/null
    "$sipl" mkdisk -o disk$d.img --stage3 stage3.s --kernel kernel.s --secure 1 >/dev/null
  done
  rm -f stage3.bin stage3.s kernel kernel.s
  mkdir -p xml
  i=0
  while [ $i -lt 1000 ]; do
    n=$(printf %04d $i)
    fw=""
    [ $((i % 2)) -eq 0 ] && fw="<firmware><feature enabled='yes' name='secure-boot'/></firmware>"
    cat > xml/d$n.xml <<XML
<domain type='kvm'>
  <name>d$n</name>
  <memory unit='MiB'>1024</memory>
  <os>
    <type arch='s390x' machine='s390-ccw-virtio'>hvm</type>
    $fw
    <boot-certs><path>$PWD/store$((i % 5))</path></boot-certs>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$PWD/disk$((i % 10)).img'/>
      <target dev='vda' bus='virtio'/>
      <boot order='1'/>
    </disk>
  </devices>
</domain>
XML
    i=$((i + 1))
  done
fi
r=1
while [ $r -le "$runs" ]; do
  start=$(date +%s.%N)
  "$sipl" audit --json --at 2026-06-01T00:00:00Z --horizon 90d --xml-dir xml > audit.json || true
  end=$(date +%s.%N)
  echo "run $r: $(echo "$end - $start" | bc) s"
  r=$((r + 1))
done
python3 -c '
import json, collections
j = json.load(open("audit.json"))
print("stats:", j["stats"])
print("verdicts:", dict(collections.Counter(g["verdict"] for g in j["guests"])))
print("changing:", sum(1 for g in j["guests"] if g["changes_at"]))'
