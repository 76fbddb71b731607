#!/bin/bash
# Runs one libFuzzer target the way docs/FUZZING.md records it: ASan+UBSan build from `make fuzz`,
# one in-process fuzzer at the lowest CPU priority, until RUNS executions or SECONDS, whichever
# comes first. New inputs go to a scratch corpus (first directory), so fuzz/corpus/<name> stays
# as committed; the target's built-in seeds are written out first (SIPL_FUZZ_SEED_DIR) so the
# session starts from them too.
#
#   scripts/fuzz_run.sh NAME [SECONDS=1800] [RUNS=10000000]
#   scripts/fuzz_run.sh NAME merge   # afterwards: add a minimized set of what the session
#                                    # found (and of the built-in seeds) to fuzz/corpus/NAME
#   FUZZ_WORK=DIR (default $TMPDIR/sipl-fuzz): DIR/NAME/{corpus,seeds,artifacts}
set -euo pipefail
name=$1
secs=${2:-1800}
case $name in merge:*) name=${name#merge:}; secs=merge ;; esac  # same as NAME merge
runs=${3:-10000000}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/fuzz/fuzz/${name}_fuzzer
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/sipl-fuzz}/$name
[ -x "$bin" ] || { echo "no $bin: run make fuzz first" >&2; exit 2; }
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
[ -d "$root/fuzz/corpus/$name" ] || mkdir -p "$root/fuzz/corpus/$name"
if [ "$secs" = merge ]; then
  set -x
  exec nice -n 19 "$bin" -merge=1 -timeout=60 "$root/fuzz/corpus/$name" "$work/seeds" "$work/corpus"
fi
: > "$work/empty"
# The empty input runs the built-in seeds; with SIPL_FUZZ_SEED_DIR they are also written out.
SIPL_FUZZ_SEED_DIR="$work/seeds" nice -n 19 "$bin" "$work/empty" > "$work/seeds.log" 2>&1
dict=()
[ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
set -x
exec nice -n 19 "$bin" -max_total_time="$secs" -runs="$runs" -timeout=60 -print_final_stats=1 "${dict[@]}" \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$root/fuzz/corpus/$name" "$work/seeds"
