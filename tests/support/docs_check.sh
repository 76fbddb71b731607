#!/bin/sh
# ctest docs.self_contained: a user's clone has nothing beside it, so no file may refer to the
# research notes the project started from (a sibling directory of notes, their file names, their section signs);
# and docs/README.md, the index, must list every file in docs/.
set -u
src=$1
status=0
# The patterns are split so that this script does not match itself.
up='\.\.'; notes="$up/shared|/work/shared|"'(qemu-secure-ipl|zipl-and-signatures|anchors)[.]md|[^a-z-]libvirt[.]md|spec'' §|(^|[ (])§[0-9]'
hits=$(cd "$src" && grep -rInE "$notes" --exclude-dir=.git --exclude-dir=build --exclude-dir=corpus \
  --exclude=docs_check.sh . | grep -vE 'RFC [0-9]+ §')
if [ -n "$hits" ]; then
  echo "references to material outside the repository:"
  echo "$hits"
  status=1
fi
for f in "$src"/docs/*.md; do
  name=$(basename "$f")
  [ "$name" = README.md ] && continue
  grep -q "($name[)#]" "$src/docs/README.md" || { echo "docs/README.md does not list docs/$name"; status=1; }
done
exit $status
