#!/usr/bin/env bash
# Supply-chain audits. Exceptions to both vulnerability audits: audit/allowlist.toml.
# `make audit` (network):
# - pip-audit: the runtime requirements (requirements.txt, what the wheel pulls in) against PyPI's
#   vulnerability data;
# - cargo deny check: advisories (RustSec database, fetched from github.com), licences, duplicate
#   versions and sources of every crate in Cargo.lock, as deny.toml says.
# `make audit-offline` (--offline, what `make test` runs; no network):
# - cargo deny's licences, bans and sources;
# - scripts/audit_offline.py check: the pins, the installed analysis extra and Cargo.lock against
#   the committed advisory subset (audit/advisories, dated; scripts/refresh_advisories.py renews it).
# cargo-deny is installed once into $CTAOPS_TOOLS_DIR (default /var/cache/ctaops-tools), outside
# the clone, with `cargo install --locked` of a pinned version (crates.io checksums every crate).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"
tools="${CTAOPS_TOOLS_DIR:-/var/cache/ctaops-tools}"
deny_version="${CARGO_DENY_VERSION:-0.20.2}"
deny="$tools/bin/cargo-deny"

offline=false
if [ "${1:-}" = "--offline" ]; then
    offline=true
fi

if ! $offline; then
    # shellcheck disable=SC2046  # one word per argument
    "$venv/bin/pip-audit" --progress-spinner off --strict -r requirements.txt \
        $("$venv/bin/python" scripts/audit_offline.py ignore-vulns)
fi

if ! { [ -x "$deny" ] && "$deny" --version | grep -qF " $deny_version"; }; then
    echo "audit: installing cargo-deny $deny_version into $tools" >&2
    CARGO_TARGET_DIR="$tools/build" cargo install -q --locked --version "$deny_version" cargo-deny --root "$tools"
    rm -rf "$tools/build"
fi
if $offline; then
    "$deny" --log-level error --offline check --hide-inclusion-graph licenses bans sources
    "$venv/bin/python" scripts/audit_offline.py check --cargo-deny "$deny"
else
    config="$(mktemp --suffix=.toml)"
    trap 'rm -f "$config"' EXIT
    "$venv/bin/python" scripts/audit_offline.py deny-config > "$config"
    "$deny" --log-level warn --config "$config" check --hide-inclusion-graph
fi
