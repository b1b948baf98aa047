"""`make demo`: a simulated CTA instance in `demo/`, driven the way operators and tools drive a real one.

It creates the instance (catalogue, virtual library, labelled tape images), lists tapes, archives
generated files, runs the scheduler, lists the tape files, verifies a tape image against the
catalogue with `ctaops tape verify`, and repacks the tape. A short checksum check comes first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import ctaops


def step(title: str) -> None:
    print(f"\n== {title}")


REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo"


def sh(*argv: str | Path, show: int = 12) -> str:
    """Run a command; echo it and the first lines of its output."""
    print("$ " + " ".join(str(a) for a in argv))
    res = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    lines = (res.stdout + res.stderr).splitlines()
    for line in lines[:show]:
        print("  " + line[:160])
    if len(lines) > show:
        print(f"  ... ({len(lines) - show} more lines)")
    if res.returncode != 0:
        sys.exit(f"demo step failed with exit {res.returncode}")
    return res.stdout


def main() -> None:
    print(f"ctaops {ctaops.__version__} ({ctaops.build_info})")
    exe = shutil.which("ctaops") or str(Path(sys.executable).with_name("ctaops"))

    step("checksums: ctaops checksum agrees with zlib")
    sample = REPO / "README.md"
    out = subprocess.run([exe, "checksum", str(sample)], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == f"{zlib.adler32(sample.read_bytes()):08x}"
    print(f"  {out.strip()}  (zlib agrees)")

    step("create a simulated CTA instance in demo/")
    shutil.rmtree(DEMO, ignore_errors=True)
    sh(exe, "sim", "init", DEMO, "--tapes", "10", "--drives", "2")
    admin = DEMO / "bin" / "cta-admin"
    sh(admin, "tape", "ls", "--all")
    sh(admin, "drive", "ls")

    step("archive 8 generated files of 3 MiB and run the scheduler")
    sh(exe, "sim", "archive", DEMO, "--storageclass", "ctaops_sc", "--count", "8", "--size", "3MiB")
    sh(admin, "showqueues")
    sh(exe, "sim", "run", DEMO)
    sh(admin, "tapefile", "ls", "--vid", "V00001")

    step("verify the tape image against the catalogue (ctaops tape verify)")
    listing = DEMO / "V00001.tapefiles.json"
    listing.write_text(sh(admin, "--json", "tapefile", "ls", "--vid", "V00001", show=0))
    sh(exe, "tape", "verify", "--image", DEMO / "tapes" / "V00001.tap", "--vid", "V00001", "--catalogue", listing)
    ids = ",".join(str(r["af"]["archiveId"]) for r in json.loads(listing.read_text()))
    sh(DEMO / "bin" / "cta-verify-file", "--vid", "V00001", "--id", ids, show=3)

    step("repack V00001 into the repack pool")
    sh(admin, "tape", "ch", "--vid", "V00001", "--full", "true")
    sh(admin, "tape", "ch", "--vid", "V00001", "--state", "REPACKING", "--reason", "demo migration")
    sh(admin, "repack", "add", "--vid", "V00001", "--mountpolicy", "repack")
    sh(exe, "sim", "run", DEMO)
    sh(admin, "repack", "ls")
    sh(admin, "tapefile", "ls", "--vid", "V00005", show=4)
    print("\nThe instance stays in demo/: point tools at demo/cta-ops-config.yaml or run demo/bin/cta-admin.")


if __name__ == "__main__":
    main()
