#!/usr/bin/env bash
# Puts the dependency wheels the packages ship (requirements.txt's pins) into DEST, for
# scripts/build_rpm.sh and scripts/build_deb.sh.
#   scripts/dependency_wheels.sh DEST [DEPS_DIR]
# DEPS_DIR holds them already; without it they are fetched with `pip download -r requirements.txt`
# (pure-Python wheels, so any host's pip will do).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=$1
deps=${2:-}
mkdir -p "$dest"
if [ -n "$deps" ]; then
    cp "$deps"/*.whl "$dest/"
else
    "${PIP:-.venv/bin/pip}" download -q --disable-pip-version-check --only-binary=:all: \
        -d "$dest" -r requirements.txt
fi
