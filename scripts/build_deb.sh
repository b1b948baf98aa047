#!/usr/bin/env bash
# Builds the ctaops .deb (packaging/deb/) from a built wheel with dpkg-deb alone.
#   scripts/build_deb.sh WHEEL OUTDIR [DEPS_DIR]
# DEPS_DIR holds the dependency wheels; without it scripts/dependency_wheels.sh fetches them.
# The venv is built with $PYTHON (default /usr/bin/python3): build on the Debian or Ubuntu
# release you install on. Needs no root: owners are set by the package's postinst.
# gzip rather than dpkg-deb's default xz: every dpkg reads it, and xz takes most of a minute here.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    echo "usage: $0 WHEEL OUTDIR [DEPS_DIR]" >&2
    exit 2
fi
wheel=$(realpath "$1")
mkdir -p "$2"
out=$(realpath "$2")
deps=${3:-}
python=${PYTHON:-/usr/bin/python3}
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/deps"

scripts/dependency_wheels.sh "$top/deps" "$deps"

version=$(basename "$wheel" | cut -d- -f2)
root="$top/root"
PYTHON=$python scripts/stage_install.sh "$root" "$wheel" "$top/deps" /lib/systemd/system
chmod -R u+rwX,go+rX,go-w "$root/opt" "$root/usr" "$root/lib"

# The columns of cta_versions.txt's first (newest) row: ctaops tested-from tested-to min below.
read -r _ _ _ cta_min cta_next < <(grep -v '^#' python/ctaops/cta_versions.txt | grep -m1 .)
py_minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
py_next=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1] + 1}")')
glibc=$(basename "$wheel" | sed -nE 's/.*manylinux_([0-9]+)_([0-9]+).*/\1.\2/p')
maintainer="${DEBFULLNAME:-ctaops maintainers} <${DEBEMAIL:-ctaops@localhost}>"

doc="$root/usr/share/doc/ctaops"
install -m 0644 packaging/deb/copyright "$doc/copyright"
install -D -m 0644 packaging/deb/lintian-overrides "$root/usr/share/lintian/overrides/ctaops"
{
    printf 'ctaops (%s-1) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from the ctaops %s wheel by scripts/build_deb.sh.\n\n' "$version"
    printf ' -- %s  %s\n' "$maintainer" "$(date -R ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH})"
} | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)

mkdir -m 0755 "$root/DEBIAN"
grep -v '^#' packaging/deb/control | sed \
    -e "s|@VERSION@|$version|" -e "s|@SIZE@|$size|" -e "s|@PY_MIN@|$py_minor|" \
    -e "s|@PY_NEXT@|$py_next|" -e "s|@CTA_MIN@|$cta_min|" -e "s|@CTA_NEXT@|$cta_next|" \
    -e "s|@GLIBC@|${glibc:-2.17}|" -e "s|@MAINTAINER@|$maintainer|" \
    >"$root/DEBIAN/control"
install -m 0644 packaging/deb/conffiles "$root/DEBIAN/conffiles"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"

deb="$out/ctaops_${version}-1_amd64.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "$deb"
