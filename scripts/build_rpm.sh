#!/usr/bin/env bash
# Builds the ctaops RPM (packaging/rpm/ctaops.spec) from a built wheel.
#   scripts/build_rpm.sh WHEEL OUTDIR [DEPS_DIR]
# DEPS_DIR holds the dependency wheels; without it scripts/dependency_wheels.sh fetches them.
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
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES" "$top/deps"

cp "$wheel" "$top/SOURCES/"
scripts/dependency_wheels.sh "$top/deps" "$deps"
tar -C "$top/deps" -cf "$top/SOURCES/ctaops-deps.tar" .
tar -cf "$top/SOURCES/ctaops-packaging.tar" LICENSE requirements.txt packaging scripts/stage_install.sh docs/install.md docs/scheduling.md

name=$(basename "$wheel")
version=$(echo "$name" | cut -d- -f2)
# --nodeps: BuildRequires are checked against the rpm database, which is empty on a Debian host.
rpmbuild -bb --quiet --nodeps --define "_topdir $top" --define "ctaops_wheel $name" \
    --define "ctaops_version $version" packaging/rpm/ctaops.spec
cp "$top"/RPMS/*/*.rpm "$out/"
ls "$out"/ctaops-"$version"-*.rpm
