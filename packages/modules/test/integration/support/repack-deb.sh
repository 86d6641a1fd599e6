#!/bin/bash
# Re-packs a package installed on the controller into a .deb (as dpkg-repack does): the files dpkg
# lists, its control fields, conffiles and maintainer scripts. Usage: repack-deb.sh PACKAGE OUT.deb
set -eu
pkg=$1 out=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dpkg-query -L "$pkg" | while IFS= read -r f; do
  [ -n "$f" ] || continue
  if [ -d "$f" ] && [ ! -L "$f" ]; then mkdir -p "$stage$f"; elif [ -e "$f" ] || [ -L "$f" ]; then cp -a --parents "$f" "$stage"; fi
done
mkdir -p "$stage/DEBIAN"
dpkg-query -s "$pkg" | awk '/^(Status|Config-Version):/ { skip = 1; next } /^[A-Za-z-]+:/ { skip = 0 } !skip' > "$stage/DEBIAN/control"
dpkg-query -W -f='${Conffiles}\n' "$pkg" | awk 'NF >= 2 && $NF != "obsolete" { print $1 }' > "$stage/DEBIAN/conffiles"
[ -s "$stage/DEBIAN/conffiles" ] || rm -f "$stage/DEBIAN/conffiles"
arch=$(dpkg-query -W -f='${Architecture}' "$pkg")
for s in preinst postinst prerm postrm triggers shlibs symbols; do
  for src in "/var/lib/dpkg/info/$pkg.$s" "/var/lib/dpkg/info/$pkg:$arch.$s"; do
    if [ -f "$src" ]; then cp "$src" "$stage/DEBIAN/$s"; fi
  done
done
for s in preinst postinst prerm postrm; do [ -f "$stage/DEBIAN/$s" ] && chmod 0755 "$stage/DEBIAN/$s"; done
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$out" >/dev/null
