#!/bin/sh
# ctest reader.parsers_do_not_use_load_be: bytes sipl did not write are read with sipl::Reader
# (include/sipl/base/reader.h), whose reads fail with an Error naming the byte, never with
# load_u*_be, which aborts on a read out of range. Only src/base/bytes.cc (where they are
# defined) may name them; tests and fuzz harnesses read bytes they built themselves.
set -u
src=$1
status=0
hits=$(cd "$src" && grep -rnE 'load_u(16|32|64)_be' src include --exclude=bytes.cc --exclude=bytes.h)
if [ -n "$hits" ]; then
  echo "load_u*_be in library code (read input with sipl::Reader instead):"
  echo "$hits"
  status=1
fi
# Each parser of untrusted input (issue 11) reads through the Reader; a file that moved must be
# renamed here, so the list cannot silently go stale.
for f in src/fw/boot_record.cc src/fw/secure_ipl_loop.cc src/fw/secure_ipl_report.cc src/fw/eckd_fallback.cc \
         src/image/qcow2.cc src/image/sclab.cc src/image/appended_signature.cc src/image/boot_disk.cc \
         src/guest/ipl_report.cc src/hv/diag320_decode.cc src/hv/diag320.cc src/hv/diag508_svb.cc \
         src/hv/diag_call.cc src/crypto/pem.cc; do
  if [ ! -f "$src/$f" ]; then
    echo "$f: listed as an input parser but missing"
    status=1
  elif ! grep -qE 'Reader|Fixed<|fixed_view' "$src/$f"; then
    echo "$f: parses input without sipl::Reader"
    status=1
  fi
done
exit $status
