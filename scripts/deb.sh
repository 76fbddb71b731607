#!/usr/bin/env bash
# Builds sipl's Debian package with Debian's own tooling (dpkg-buildpackage, debhelper; the
# packaging is debian/) from a scratch copy of the source tree, so that nothing is written
# outside OUTDIR: dpkg-buildpackage leaves its results in the parent of the tree it builds.
#   scripts/deb.sh [OUTDIR]        OUTDIR defaults to build/deb; the last line names the .deb
# The copy holds the files git tracks or would track (untracked files that are not ignored), as
# they are in the working tree: a developer packages their edits; CI's clean clone packages HEAD.
# Build tools come from `scripts/deps.sh deb` (make deb runs it). DEB_BUILD_OPTIONS is passed on.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$repo/build/deb}")

version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
upstream=${version%-*}
project=$(sed -n 's/^project(sipl VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
if [ "$upstream" != "$project" ]; then
  echo "deb: debian/changelog is at $version but CMakeLists.txt's project(VERSION) is $project;" \
       "add a changelog entry for $project-1 (dch -v $project-1)" >&2
  exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
src="$out/sipl-$upstream"

mkdir -p "$out"
rm -rf "$src"
rm -f "$out"/sipl_"$version"* "$out"/sipl-dbgsym_"$version"*
mkdir "$src"
if [ -e "$repo/.git" ]; then
  # Tracked files deleted in the working tree are left out (tar would stop on them).
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      if [ -e "$repo/$f" ] || [ -L "$repo/$f" ]; then printf '%s\0' "$f"; fi
    done |
    tar -C "$repo" --null --no-recursion -T - -cf - | tar -C "$src" -xf -
else
  tar -C "$repo" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

echo "deb: building sipl $version ($arch) in $src" >&2
start=$SECONDS
(cd "$src" &&
  DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b)
rm -rf "$src"
echo "deb: dpkg-buildpackage took $((SECONDS - start)) s; results in $out:" >&2
ls -1 "$out"/sipl_"$version"_* "$out"/sipl-dbgsym_"$version"_* >&2 2>/dev/null || true
echo "$out/sipl_${version}_${arch}.deb"
