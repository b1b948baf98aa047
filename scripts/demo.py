"""`make demo`: show the toolkit working on generated data.

Until the simulator lands this demonstrates the checksum layer end to end: files are generated,
checksummed by the `ctaops` command (as xrdadler32 would print them) and through the Python API,
and their CTA checksum blobs shown in each form CTA uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import ctaops
from ctaops.checksum import ChecksumBlob, file_checksum


def step(title: str) -> None:
    print(f"\n== {title}")


def main() -> None:
    print(f"ctaops {ctaops.__version__} ({ctaops.build_info})")
    ctaops_cmd = shutil.which("ctaops") or str(Path(sys.executable).with_name("ctaops"))
    with tempfile.TemporaryDirectory(prefix="ctaops-demo-") as tmp:
        step("generate files of awkward sizes (0 B, 1 B, 256 KiB - 1, 256 KiB, 256 KiB + 1, 64 MiB)")
        paths = []
        for size in (0, 1, 262143, 262144, 262145, 64 << 20):
            p = Path(tmp) / f"file_{size}.dat"
            p.write_bytes(os.urandom(size))
            paths.append(p)
            print(f"  {p.name:>20}  {size:>10} bytes")

        step("ctaops checksum (one 'adler32 path' line per file, like xrdadler32)")
        out = subprocess.run([ctaops_cmd, "checksum", *map(str, paths)], capture_output=True, text=True, check=True)
        print(out.stdout, end="")
        for text, p in zip(out.stdout.splitlines(), paths):
            assert text.split()[0] == f"{zlib.adler32(p.read_bytes()):08x}", "mismatch with zlib"
        print("  all values agree with Python's zlib.adler32")

        step("error handling: a missing file among good ones (exit 1, the rest still printed)")
        res = subprocess.run(
            [ctaops_cmd, "checksum", str(Path(tmp) / "missing.dat"), str(paths[1])],
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"  stdout: {res.stdout.strip()}\n  stderr: {res.stderr.strip()}\n  exit:   {res.returncode}")

        step("the CTA checksum blob of the 64 MiB file, in every form CTA uses")
        value = int(file_checksum(paths[-1]), 16)
        blob = ChecksumBlob.from_adler32(value)
        print(f"  printed (tapefile ls):     {blob.hex()}")
        print(f"  CHECKSUM_ADLER32 column:   {blob.int_value()}")
        print(f"  stored bytes (LE):         {(blob.stored_bytes() or b'').hex()}")
        print(f"  CHECKSUM_BLOB (protobuf):  {blob.to_protobuf().hex()}")
        print(f"  JSON:                      {blob.to_json()}")
        for algo in ("crc32", "crc32c", "md5", "sha1"):
            print(f"  {algo:<7} {file_checksum(paths[-1], algo)}")
    print("\ndemo finished")


if __name__ == "__main__":
    main()
