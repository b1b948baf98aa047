"""Guest half of benchmarks/bench_st_verify.py: `ctaops tape verify --device` against dd on one tape.

Runs in the guest's bench mode (cartridges of BENCH_CART_MIB). Writes a tape of about 2 GiB with
`ctaops tape write`, then times, best of RUNS each, reading the whole tape with `dd bs=256k` (one dd
per tape file, as dd stops at each tape mark) and with `ctaops tape verify --device` (which also
checksums every file); dd with 1 MiB requests too, to show what reads longer than the blocks
cost on tgt. Prints one JSON document.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

DEVICES = Path("/run/ctaops-vm/devices.json")
FILE_MIB = 256
FILES = 8
RUNS = 2


def sh(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def read_with_dd(nst: str, segments: int, bs: str) -> None:
    sh("mt", "-f", nst, "rewind")
    for _ in range(segments):
        sh("dd", f"if={nst}", "of=/dev/null", f"bs={bs}")


def main() -> None:
    lib = json.loads(DEVICES.read_text())["libraries"][0]
    drive = lib["drive_devices"][0]
    nst = drive["nst"]
    sh("mtx", "-f", lib["changer"], "load", "1", "0")
    subprocess.run(["mt", "-f", nst, "status"], capture_output=True, check=False)
    source = Path("/var/tmp/bench-file")
    with source.open("wb") as f:
        chunk = os.urandom(16 << 20)
        for _ in range(FILE_MIB // 16):
            f.write(chunk)
    vid = lib["slot_cartridges"][0][:6]
    sh("/usr/local/bin/ctaops", "tape", "label", "--device", nst, "--vid", vid, "--force")
    started = time.monotonic()
    sh("/usr/local/bin/ctaops", "tape", "write", "--device", nst, "--vid", vid, *[str(source)] * FILES)
    write_s = time.monotonic() - started
    total = FILES * FILE_MIB << 20
    # VOL1 + HDR1..UHL1 | data | EOF1..UTL1 per file: one dd per tape-mark-delimited segment.
    segments = 1 + 3 * FILES
    dd_s, dd_1m_s, verify_s = [], [], []
    for _ in range(RUNS):
        t = time.monotonic()
        read_with_dd(nst, segments, "256k")
        dd_s.append(time.monotonic() - t)
        # Requests longer than the blocks: every read ends short (ILI), which tgt answers slowly.
        t = time.monotonic()
        read_with_dd(nst, segments, "1M")
        dd_1m_s.append(time.monotonic() - t)
        t = time.monotonic()
        sh("/usr/local/bin/ctaops", "tape", "verify", "--device", nst, "--vid", vid)
        verify_s.append(time.monotonic() - t)
    print(
        json.dumps(
            {
                "bytes": total,
                "write_s": round(write_s, 2),
                "dd_s": [round(x, 2) for x in dd_s],
                "verify_s": [round(x, 2) for x in verify_s],
                "dd_1m_s": [round(x, 2) for x in dd_1m_s],
                "dd_mb_s": round(total / min(dd_s) / 1e6, 1),
                "dd_1m_mb_s": round(total / min(dd_1m_s) / 1e6, 1),
                "verify_mb_s": round(total / min(verify_s) / 1e6, 1),
                "ratio": round(min(dd_s) / min(verify_s), 3),
                "ratio_1m": round(min(dd_1m_s) / min(verify_s), 3),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
