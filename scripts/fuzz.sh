#!/usr/bin/env bash
# Runs every cargo-fuzz target of every rust/*/fuzz package for FUZZ_SECONDS seconds each.
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-10}"
export RUSTC_BOOTSTRAP=1

shopt -s nullglob
packages=(rust/*/fuzz)
if [ ${#packages[@]} -eq 0 ]; then
    echo "fuzz: no fuzz packages"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked -q cargo-fuzz
fi
for pkg in "${packages[@]}"; do
    for target in $(cd "$pkg" && cargo fuzz list); do
        echo "fuzz: $pkg $target (${seconds}s)"
        corpus="$pkg/corpus/$target"
        mkdir -p "$corpus"
        seeds="$pkg/seeds/$target"
        [ -d "$seeds" ] || seeds=""
        (cd "$pkg" && cargo fuzz run -s none "$target" "${corpus#"$pkg/"}" ${seeds:+"${seeds#"$pkg/"}"} -- \
            -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=0 2>&1 | tail -n 3)
    done
done
