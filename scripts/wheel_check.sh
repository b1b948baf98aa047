#!/usr/bin/env bash
# Builds the release wheel and proves it works in a clean venv, as an operator would install it,
# with no compiler on PATH: the package imports and reports its version, every console script the
# wheel declares (its entry_points.txt, so a new one is covered without editing this) answers
# --help and --version, `ctaops checksum` checksums a file, the pins of requirements.txt lie in the
# wheel's own ranges, and `pip install ctaops[analysis]` resolves (pip --dry-run: resolved and
# downloaded, not installed, to keep the check short).
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(command -v "${PYTHON:-python3}")"
maturin="${MATURIN:-.venv/bin/maturin}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [ -n "${WHEEL:-}" ]; then
    wheel="$WHEEL"  # one `make wheel` already built
else
    "$maturin" build -q --release -o "$out/dist"
    wheel=$(ls "$out"/dist/ctaops-*.whl)
fi
"$python" -m venv "$out/venv"
mkdir "$out/empty"
venv="$out/venv/bin"
# Everything the operator's side runs sees only the venv on PATH: no cc, gcc, rustc or cargo for
# pip to fall back on, and the console scripts find nothing but what the wheel installed.
bare=(env "PATH=$venv:$out/empty")
for cc in cc gcc clang rustc cargo; do
    if "${bare[@]}" /bin/sh -c "command -v $cc" >/dev/null 2>&1; then echo "wheel check: $cc is on PATH" >&2; exit 1; fi
done
"${bare[@]}" "$venv/pip" install -q "$wheel"
version=$(cd "$out" && "${bare[@]}" "$venv/python" -c "import ctaops; print(ctaops.__version__)")
line=$(cd "$out" && "${bare[@]}" "$venv/python" -c "import ctaops, ctaops._versions as v; print(v.version_line(ctaops.__version__))")

printf 'hello tape\n' > "$out/sample"
got=$("${bare[@]}" "$venv/ctaops" checksum "$out/sample")
expected=$("$venv/python" -c "import zlib,sys; print(f'{zlib.adler32(open(sys.argv[1],\"rb\").read()):08x}')" "$out/sample")
if [ "$got" != "$expected $out/sample" ]; then
    echo "wheel check: unexpected checksum line: $got" >&2
    exit 1
fi

scripts=$("$venv/python" - <<'PY'
import configparser
from importlib import metadata

ep = configparser.ConfigParser(delimiters=("=",))
ep.read_string(metadata.distribution("ctaops").read_text("entry_points.txt") or "")
print("\n".join(ep["console_scripts"]))
PY
)
failed=()
n=0
for s in $scripts; do
    n=$((n + 1))
    if ! help=$(cd "$out" && "${bare[@]}" "$venv/$s" --help 2>"$out/err") || [ -z "$help" ] || [ -s "$out/err" ]; then
        failed+=("$s --help: $(head -c 300 "$out/err")")
    fi
    got=$(cd "$out" && "${bare[@]}" "$venv/$s" --version 2>"$out/err") || true
    if [ "$got" != "$s $line" ]; then
        failed+=("$s --version: '$got' $(head -c 300 "$out/err")")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'wheel check: %s\n' "${failed[@]}" >&2
    exit 1
fi

"${bare[@]}" "$venv/python" - <<'PY'
import sys
from importlib import metadata
from pathlib import Path

from pip._vendor.packaging.requirements import Requirement  # the fresh venv has no packaging of its own

required = [Requirement(r) for r in metadata.requires("ctaops") or []]
ranges = {r.name.lower().replace("_", "-"): r for r in required if r.marker is None}  # not the extras
for raw in Path("requirements.txt").read_text().splitlines():
    raw = raw.split("#")[0].strip()
    if not raw:
        continue
    pin = Requirement(raw)
    name = pin.name.lower().replace("_", "-")
    (version,) = [s.version for s in pin.specifier if s.operator == "=="]
    if name not in ranges or not ranges[name].specifier.contains(version):
        sys.exit(f"wheel check: requirements.txt pins {raw}, outside the wheel's {ranges.get(name)}")
PY

"${bare[@]}" "$venv/pip" install -q --dry-run "ctaops[analysis] @ file://$wheel"
echo "wheel check: $(basename "$wheel") installs without a compiler; ctaops $version; $n console scripts answer --help and --version; requirements.txt pins in range; ctaops[analysis] resolves"
