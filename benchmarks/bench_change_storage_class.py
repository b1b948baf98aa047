"""cta-ops-change-storage-class --dry-run of a 1,000,000-line EOS namespace dump, target <= 10 s.

Timed end to end, process start included, best of 3, against a small simulator instance (the
dry run asks CTA for its storage classes once): the tool, whose dump reader and plan are Rust
(`ctaops._core.EosDump`), and in the same run the obvious alternative, a plain Python loop
reading the dump with `json.loads` and picking the same keys (no plan, no journal).

    .venv/bin/python benchmarks/bench_change_storage_class.py [LINES]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_of, verdict

REPO = Path(__file__).resolve().parent.parent
TOOL = str(Path(sys.executable).with_name("cta-ops-change-storage-class"))
TARGET_S = 10.0


def ctaops() -> str:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "ctaops")


def write_dump(path: Path, lines: int) -> None:
    """eos-ns-inspect's shape: fid, path, size, owner, xattrs (archive ID, class), plus the target class."""
    with path.open("w") as f:
        for i in range(lines):
            f.write(
                json.dumps(
                    {
                        "fid": 4_000_000_001 + i,
                        "path": f"/eos/eosctaops/bench/d{i // 1000}/file{i}",
                        "size": 1_000_000 + i,
                        "uid": 1000,
                        "gid": 1000,
                        "xattr": {
                            "sys.archive.file_id": str(i + 1),
                            "sys.archive.storage_class": "ctaops_sc",
                            "sys.eos.btime": "1700000000.0",
                        },
                        "storageclass": "bench_sc",
                    }
                )
                + "\n"
            )


def python_loop(path: Path) -> int:
    n = 0
    with path.open() as f:
        for line in f:
            d = json.loads(line)
            x = d["xattr"]
            if (
                d.get("fid") is not None
                and x.get("sys.archive.file_id")
                and (d.get("storageclass") or x.get("sys.archive.storage_class"))
            ):
                n += 1
    return n


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        inst = Path(tmp) / "inst"
        subprocess.run([ctaops(), "sim", "init", str(inst)], check=True, capture_output=True)
        subprocess.run(
            [
                *(inst / "bin" / "cta-admin", "storageclass", "add", "--name", "bench_sc", "--numberofcopies", "1"),
                *("--vo", "vo_user", "--comment", "bench"),
            ],
            check=True,
            capture_output=True,
        )
        dump = Path(tmp) / "dump.json"
        start = time.perf_counter()
        write_dump(dump, lines)
        print(
            f"dump: {lines} lines, {dump.stat().st_size / 1e6:.0f} MB (written in {time.perf_counter() - start:.1f} s)"
        )
        argv = [TOOL, "-C", str(inst / "cta-ops-config.yaml"), "-l", str(dump), "-i", "eosctaops", "--dry-run"]

        def tool() -> None:
            r = subprocess.run(argv, capture_output=True, text=True, check=False)
            assert r.returncode == 0, r.stderr
            assert f"{lines} files in the dump" in r.stdout, r.stdout[:300]

        ours = best_of(tool, 3)
        theirs = best_of(lambda: python_loop(dump), 3)
    met = verdict(ours, TARGET_S, higher_is_better=False)
    print(f"{'tool --dry-run (Rust dump reader), end to end':<52} {ours:6.2f} s   target <= {TARGET_S:.0f} s: {met}")
    print(f"{'plain Python json.loads loop (reading only)':<52} {theirs:6.2f} s")
    print(f"ratio (python loop / tool): {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
