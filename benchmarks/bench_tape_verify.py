"""Tape read-back verification: `ctaops tape verify` on a 4 GiB SIMH image of 256 KiB blocks in the
page cache, against a straightforward pure-Python reader (`struct` + `zlib.adler32`) in the same run.
Also reports peak RSS, for a 16 GiB image too when the disk has room (`--big`, or BENCH_TAPE_BIG=1).

Targets (issue 6): native >= 4 GB/s, >= 3x the Python reader, peak RSS <= 64 MiB whatever the size.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from _util import line, verdict
from ctaops.tape import TapeImage, label_tape, write_files

REPO = Path(__file__).resolve().parent.parent
VID = "V01007"
GIB = 1 << 30


def native_binary() -> str:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    exe = target / "release" / "ctaops"
    if not exe.exists():
        sys.exit(f"build the release binary first: {exe} (make dev)")
    return str(exe)


def make_image(tmp: Path, gib: int) -> tuple[Path, Path]:
    """A labelled image holding `gib` files of 1 GiB each, written by ctaops, and its tapefile listing."""
    source = tmp / "1GiB.dat"
    chunk = os.urandom(64 << 20)
    with source.open("wb") as f:
        for _ in range(GIB // len(chunk)):
            f.write(chunk)
    image = tmp / f"{VID}.img"
    with TapeImage(image, create=True) as tape:
        label_tape(tape, VID)
        written = write_files(tape, VID, [source] * gib)
    source.unlink()
    items = [
        {
            "af": {
                "archiveId": str(w.archive_id),
                "storageClass": "bench",
                "creationTime": "1741170001",
                "size": str(w.size),
                "checksum": [{"type": "ADLER32", "value": w.checksum}],
            },
            "df": {"diskId": str(w.archive_id), "diskInstance": "eosbench", "path": ""},
            "tf": {"vid": VID, "fSeq": str(w.fseq), "blockId": str(w.block_id), "copyNb": 1},
            "instanceName": "eosbench",
        }
        for w in written
    ]
    listing = tmp / "tapefile-ls.json"
    listing.write_text(json.dumps(items))
    return image, listing


def run_native(image: Path, listing: Path) -> tuple[float, int, float, dict[str, object]]:
    """Wall seconds, peak RSS (bytes), CPU seconds and the JSON report of one `ctaops tape verify` run.

    Peak RSS comes from GNU time when installed: a child forked from this Python process would
    report the parent's pages in its high-water mark, not its own.
    """
    cmd = [native_binary(), "tape", "verify", "--image", str(image), "--vid", VID]
    cmd += ["--catalogue", str(listing), "--json"]
    gnu_time = shutil.which("time") or "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r") as rss_file:
        if os.path.exists(gnu_time):
            cmd = [gnu_time, "-f", "%M %U %S", "-o", rss_file.name, *cmd]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False)
        seconds = time.perf_counter() - start
        text = rss_file.read().strip()
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, report["summary"]
    fields = text.splitlines()[-1].split() if text else ["-1", "0", "0"]
    return seconds, int(fields[0]) * 1024, float(fields[1]) + float(fields[2]), report


def python_reader(image: Path) -> dict[int, tuple[int, int]]:
    """The obvious pure-Python verifier: walk SIMH records, Adler-32 each file's data section."""
    files: dict[int, tuple[int, int]] = {}
    marks = 0
    fseq, size, adler = 0, 0, 1
    with image.open("rb", buffering=0) as f:
        while True:
            head = f.read(4)
            if len(head) < 4:
                break
            (n,) = struct.unpack("<I", head)
            if n == 0:
                marks += 1
                if marks % 3 == 2:  # the tape mark that ends a file's data
                    files[fseq] = (size, adler)
                continue
            data = f.read(n)
            (trailer,) = struct.unpack("<I", f.read(4 + (n & 1))[-4:])
            if trailer != n:
                raise ValueError("broken framing")
            section = marks % 3  # 0: headers, 1: data, 2: trailers
            if section == 1:
                size += n
                adler = zlib.adler32(data, adler)
            elif section == 0 and data[:4] == b"UHL1":
                fseq, size, adler = int(data[4:14]), 0, 1
    return files


def measure(tmp: Path, gib: int, compare: bool) -> None:
    image, listing = make_image(tmp, gib)
    size = image.stat().st_size
    run_native(image, listing)  # warm the page cache
    runs = [run_native(image, listing) for _ in range(3)]
    seconds = min(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    cpu = min(r[2] for r in runs)
    report = runs[0][3]
    payload = report["summary"]["bytes"]  # type: ignore[index]
    ours = payload / seconds / 1e9
    print(
        f"{gib} GiB image ({size / GIB:.2f} GiB file): native verify {ours:.2f} GB/s of payload, "
        f"peak RSS {rss / (1 << 20):.1f} MiB | {verdict(rss, 64 << 20, higher_is_better=False)} 64 MiB"
    )
    print(
        f"  CPU time (user+sys, both threads) {cpu:.2f} s = {payload / cpu / 1e9 if cpu else 0:.2f} GB per CPU-second; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    if compare:
        start, cpu_start = time.perf_counter(), time.process_time()
        files = python_reader(image)
        py_seconds, py_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        theirs = payload / py_seconds / 1e9
        expect = {f["fseq"]: (f["size"], int(f["checksum"], 16)) for f in report["files"]}  # type: ignore[index]
        assert files == expect, "the Python reader disagrees with ctaops"
        print(
            line(f"tape verify, {gib} GiB image in page cache", ours, theirs),
            f"| {verdict(ours, 4)} 4 GB/s; {verdict(ours / theirs, 3)} 3x",
        )
        if cpu:
            print(
                f"  CPU time: ctaops {cpu:.2f} s, Python reader {py_cpu:.2f} s: "
                f"ratio {py_cpu / cpu:.1f}x (does not depend on how busy the machine is)"
            )
    image.unlink()


def main() -> None:
    big = "--big" in sys.argv or os.environ.get("BENCH_TAPE_BIG") == "1"
    base = Path(os.environ.get("BENCH_TMPDIR", tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix="ctaops-bench-tape-", dir=base) as tmp:
        measure(Path(tmp), 4, compare=True)
        if big:
            free = shutil.disk_usage(tmp).free
            if free < 20 * GIB:
                print(f"16 GiB image skipped: only {free / GIB:.0f} GiB free")
            else:
                measure(Path(tmp), 16, compare=False)


if __name__ == "__main__":
    main()
