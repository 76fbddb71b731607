#!/bin/sh
# ctest docs.diagnostic_ids: every diagnostic id is declared once, in
# include/sipl/base/diagnostic_ids.h, and listed in docs/DIAGNOSTICS.md; code names ids only
# through the header's constants. Fails when the header and the doc differ, or when a string
# literal with an id's prefix ("verify.wrong_key", or a new "verify.something") appears in
# src/ or include/ outside the header (comments may quote ids).
set -u
src=$1
header="$src/include/sipl/base/diagnostic_ids.h"
doc="$src/docs/DIAGNOSTICS.md"
status=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sed -n 's/.*\[\] = "\([^"]*\)";.*/\1/p' "$header" | sort >"$tmp/header"
sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$doc" | sort >"$tmp/doc"
[ -s "$tmp/header" ] || { echo "no ids found in $header"; exit 1; }
if [ -n "$(uniq -d "$tmp/header")" ]; then
  echo "ids declared twice in diagnostic_ids.h:"; uniq -d "$tmp/header"; status=1
fi
missing=$(comm -23 "$tmp/header" "$tmp/doc")
if [ -n "$missing" ]; then
  echo "ids in diagnostic_ids.h but not in docs/DIAGNOSTICS.md:"; echo "$missing"; status=1
fi
extra=$(comm -13 "$tmp/header" "$tmp/doc")
if [ -n "$extra" ]; then
  echo "ids in docs/DIAGNOSTICS.md but not in diagnostic_ids.h:"; echo "$extra"; status=1
fi
prefixes=$(sed 's/\..*//' "$tmp/header" | sort -u | paste -sd'|' -)
# Lines with a literal of an id's form; what follows // on a line is a comment and dropped.
hits=$(cd "$src" && grep -rnE "\"($prefixes)\.[a-z0-9_]+\"" src include --include='*.h' --include='*.cc' \
  | grep -v '^include/sipl/base/diagnostic_ids.h:' \
  | while IFS= read -r line; do
      code=${line#*:*:}
      code=${code%%//*}
      printf '%s\n' "$code" | grep -qE "\"($prefixes)\.[a-z0-9_]+\"" && printf '%s\n' "$line"
    done)
if [ -n "$hits" ]; then
  echo "diagnostic ids spelled as string literals (use the constants of sipl/base/diagnostic_ids.h):"
  echo "$hits"
  status=1
fi
exit $status
