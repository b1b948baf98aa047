#!/usr/bin/env bash
# Builds the release wheel and proves it works in a clean venv, as an operator would install it:
# the package imports, reports its version, and the console script checksums a file.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
maturin="${MATURIN:-.venv/bin/maturin}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$maturin" build -q --release -o "$out/dist"
wheel=$(ls "$out"/dist/ctaops-*.whl)
"$python" -m venv "$out/venv"
"$out/venv/bin/pip" install -q "$wheel"
version=$(cd "$out" && venv/bin/python -c "import ctaops; print(ctaops.__version__)")
printf 'hello tape\n' > "$out/sample"
line=$("$out/venv/bin/ctaops" checksum "$out/sample")
expected=$("$python" -c "import zlib,sys; print(f'{zlib.adler32(open(sys.argv[1],\"rb\").read()):08x}')" "$out/sample")
if [ "$line" != "$expected $out/sample" ]; then
    echo "wheel check: unexpected checksum line: $line" >&2
    exit 1
fi
echo "wheel check: $(basename "$wheel") installs; ctaops $version; console script OK"
