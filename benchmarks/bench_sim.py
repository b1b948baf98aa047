"""Simulator benchmarks (issue 5 targets), each next to the obvious alternative in the same run.

* `cta-admin --json tape ls --all` on 50,000 tapes, end to end (process start included), vs a
  Python script doing the same query with sqlite3 and printing it with json.dumps (target <= 0.5 s).
* `cta-admin --json tapefile ls --vid` of a tape with 100,000 files (target <= 1 s), same alternative.
* Archiving generated data into tape images with `ctaops sim run` (target >= 1 GB/s from page cache),
  vs Python writing the same number of bytes to a file in 256 KiB blocks.
* `ctaops sim init --preset cern-like` (target <= 60 s).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_of, verdict

REPO = Path(__file__).resolve().parent.parent


def ctaops() -> str:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "ctaops")


def run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([ctaops(), *map(str, args)], check=True, capture_output=True)


def python_tape_ls(db: Path) -> None:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT * FROM TAPE T JOIN TAPE_POOL P USING (TAPE_POOL_NAME) ORDER BY VID").fetchall()
    sys.stdout.flush()
    with open(os.devnull, "w") as null:
        null.write(json.dumps([[str(c) for c in r] for r in rows]))


def python_tapefile_ls(db: Path, vid: str) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT * FROM TAPE_FILE T JOIN ARCHIVE_FILE A USING (ARCHIVE_FILE_ID) WHERE VID = ? ORDER BY FSEQ", (vid,)
    ).fetchall()
    with open(os.devnull, "w") as null:
        null.write(json.dumps([[str(c) for c in r] for r in rows]))


def main() -> None:
    only_archive = sys.argv[1:] == ["archive"]
    with tempfile.TemporaryDirectory(prefix="ctaops-bench-sim-") as tmp:
        t = Path(tmp)
        if not only_archive:
            listing_benchmarks(t)
        archive_benchmark(t)


def listing_benchmarks(t: Path) -> None:
    start = time.perf_counter()
    run("sim", "init", t / "cern", "--preset", "cern-like")
    init_s = time.perf_counter() - start
    files = sqlite3.connect(t / "cern" / "catalogue.db").execute("SELECT COUNT(*) FROM TAPE_FILE").fetchone()[0]
    print(
        f"sim init --preset cern-like (5,000 tapes, {files:,} files)   {init_s:6.2f} s   "
        f"target <= 60 s: {verdict(init_s, 60, higher_is_better=False)}"
    )

    run("sim", "init", t / "big", "--preset", "cern-like", "--tapes", "50000", "--synthetic-files-per-tape", "1")
    admin = t / "big" / "bin" / "cta-admin"
    ours = best_of(
        lambda: subprocess.run([admin, "--json", "tape", "ls", "--all"], check=True, stdout=subprocess.DEVNULL)
    )
    alt = best_of(lambda: python_tape_ls(t / "big" / "catalogue.db"))
    print(
        f"cta-admin --json tape ls --all, 50,000 tapes   ours {ours:6.3f} s   python sqlite3+json {alt:6.3f} s   "
        f"ratio {alt / ours:5.1f}x   target <= 0.5 s: {verdict(ours, 0.5, higher_is_better=False)}"
    )

    run(
        "sim",
        "init",
        t / "deep",
        "--preset",
        "cern-like",
        "--tapes",
        "5",
        "--drives",
        "2",
        "--synthetic-files-per-tape",
        "100000",
    )
    admin = t / "deep" / "bin" / "cta-admin"
    vid = (
        sqlite3.connect(t / "deep" / "catalogue.db")
        .execute("SELECT VID FROM TAPE_FILE GROUP BY VID ORDER BY COUNT(*) DESC LIMIT 1")
        .fetchone()[0]
    )
    ours = best_of(
        lambda: subprocess.run([admin, "--json", "tapefile", "ls", "--vid", vid], check=True, stdout=subprocess.DEVNULL)
    )
    alt = best_of(lambda: python_tapefile_ls(t / "deep" / "catalogue.db", vid))
    print(
        f"cta-admin --json tapefile ls --vid, 100,000 files   ours {ours:6.3f} s   "
        f"python sqlite3+json {alt:6.3f} s   "
        f"ratio {alt / ours:5.1f}x   target <= 1 s: {verdict(ours, 1.0, higher_is_better=False)}"
    )


def archive_benchmark(t: Path) -> None:
    total = 16 * (64 << 20)
    block = os.urandom(256 << 10)

    def python_write() -> None:
        with open(t / "plain.bin", "wb") as f:
            for _ in range(total // len(block)):
                f.write(block)

    # Interleaved, fresh instance each time: only `sim run` (process start, mounts, writes,
    # per-file commits) is timed; the best of 3 is the least disturbed run on a shared machine.
    ours_s, alt_s = float("inf"), float("inf")
    for i in range(3):
        alt_s = min(alt_s, best_of(python_write, runs=1))
        (t / "plain.bin").unlink()
        inst = t / f"arch{i}"
        run("sim", "init", inst)
        run("sim", "archive", inst, "--storageclass", "ctaops_sc", "--count", "16", "--size", "64MiB")
        start = time.perf_counter()
        run("sim", "run", inst)
        ours_s = min(ours_s, time.perf_counter() - start)
        shutil.rmtree(inst)
    ours_gbs = total / ours_s / 1e9
    alt_gbs = total / alt_s / 1e9
    print(
        f"archive generated data into images (1 GiB)   ours {ours_gbs:6.2f} GB/s   "
        f"python plain write {alt_gbs:6.2f} GB/s   "
        f"ratio {ours_gbs / alt_gbs:5.2f}x   target >= 1 GB/s: {verdict(ours_gbs, 1.0)}"
    )


if __name__ == "__main__":
    main()
