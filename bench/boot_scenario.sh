#!/bin/sh
# Builds issue 5's performance scenario in directory $2 with the sipl binary $1 (idempotent):
# a secure disk with a 12 KiB stage 3 (global SCLAB) and a 64 MiB kernel (plain SCLAB), both
# signed with an RSA-2048 key, and a 64-certificate store whose signer comes last (63 P-256
# certificates in certs/, then s.pem). Also writes kernel.component: the kernel's bytes as the
# BIOS loads them (signature cut off), the input of the one-hash reference.
set -eu
sipl=$1
dir=$2
mkdir -p "$dir/certs"
cd "$dir"
[ -f sdisk.img ] && [ -f kernel.component ] && exit 0
at=2026-01-01T00:00:00Z
"$sipl" keygen --force --at $at --cn 'bench signer' --key s.key --cert s.pem >/dev/null
i=1
while [ $i -le 63 ]; do
  n=$(printf %02d $i)
  [ -f certs/c$n.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/CN=bench other $n" -days 3650 -out certs/c$n.pem 2>/dev/null
  i=$((i + 1))
done
head -c 12288 /dev/urandom > stage3.bin
head -c 67108864 /dev/urandom > kernel
rm -f stage3.s kernel.s sdisk.img
"$sipl" sign --key s.key --cert s.pem --sclab global --psw 0x000800008000A000 -o stage3.s stage3.bin >/dev/null
"$sipl" sign --key s.key --cert s.pem --sclab plain -o kernel.s kernel >/dev/null
"$sipl" mkdisk -o sdisk.img --stage3 stage3.s --kernel kernel.s --secure 1 >/dev/null
# The loaded component: the signed file without its appended signature, padded to 512 bytes.
"$sipl" inspect --json sdisk.img | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [c for c in d["programs"][0]["components"] if c.get("address") == "0x0000000000010000"][0]
print(c["length"])' > kernel.length
len=$(cat kernel.length)
python3 - "$len" <<'PY'
import sys
n = int(sys.argv[1])
data = open("kernel.s", "rb").read()
marker = data.rfind(b"~Module signature appended~\n")
body = data[: marker - 12 - int.from_bytes(data[marker - 4 : marker], "big")] if marker >= 0 else data
open("kernel.component", "wb").write(body.ljust(n, b"\0")[:n])
PY
