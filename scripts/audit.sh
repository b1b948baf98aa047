#!/usr/bin/env bash
# Supply-chain audits (`make audit`, run by `make test`); both need the network.
# - pip-audit: the runtime requirements (requirements.txt, what the wheel pulls in) against PyPI's
#   vulnerability data.
# - cargo deny check: advisories (RustSec database, fetched from github.com), licences, duplicate
#   versions and sources of every crate in Cargo.lock, as deny.toml says (exceptions explained there).
# cargo-deny is installed once into $CTAOPS_TOOLS_DIR (default /var/cache/ctaops-tools), outside
# the clone, with `cargo install --locked` of a pinned version (crates.io checksums every crate).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"
tools="${CTAOPS_TOOLS_DIR:-/var/cache/ctaops-tools}"
deny_version="${CARGO_DENY_VERSION:-0.20.2}"
deny="$tools/bin/cargo-deny"

# --offline: only what needs no vulnerability database (licences, bans, sources).
offline=false
if [ "${1:-}" = "--offline" ]; then
    offline=true
fi

if ! $offline; then
    "$venv/bin/pip-audit" --progress-spinner off --strict -r requirements.txt
fi

if ! { [ -x "$deny" ] && "$deny" --version | grep -qF " $deny_version"; }; then
    echo "audit: installing cargo-deny $deny_version into $tools" >&2
    CARGO_TARGET_DIR="$tools/build" cargo install -q --locked --version "$deny_version" cargo-deny --root "$tools"
    rm -rf "$tools/build"
fi
if $offline; then
    "$deny" --log-level error --offline check --hide-inclusion-graph licenses bans sources
else
    "$deny" --log-level warn check --hide-inclusion-graph
fi
