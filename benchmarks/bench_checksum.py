"""Checksum speed of ctaops.checksum against Python's zlib/hashlib, in the same run.

Targets (issue 3): adler32 on 1 MiB blocks >= 20 GB/s and >= 4x zlib.adler32; on one 1 GiB buffer
>= 8 GB/s; crc32c >= 10 GB/s; a call on 100 bytes < 1 us.
"""

from __future__ import annotations

import hashlib
import os
import sys
import timeit
import zlib

import numpy as np

from _util import best_of, line, verdict
from ctaops import checksum

GB = 1e9
MIB = 1 << 20


def hot_blocks(fn: object, block: bytes, count: int, start: int) -> None:
    value = start
    for _ in range(count):
        value = fn(block, value)  # type: ignore[operator]


def memory_bound() -> None:
    big = np.random.default_rng(2).integers(0, 256, 1 << 30, dtype=np.uint8)
    ours = (1 << 30) / best_of(lambda: checksum.adler32(big), 3) / GB
    theirs = (1 << 30) / best_of(lambda: zlib.adler32(big), 3) / GB
    print(line("adler32, one 1 GiB buffer (memory-bound)", ours, theirs), f"| {verdict(ours, 8)} 8 GB/s")
    ours_c = (1 << 30) / best_of(lambda: checksum.crc32c(big), 3) / GB
    print(f"{'crc32c, one 1 GiB buffer (memory-bound)':<44} ours {ours_c:8.2f} GB/s   | {verdict(ours_c, 10)} 10 GB/s")


def main() -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; {checksum.adler32.__module__} {__file__}")
    block = np.random.default_rng(1).integers(0, 256, MIB, dtype=np.uint8).tobytes()
    count = 2048
    size = count * MIB

    def rate(fn: object, start: int) -> float:
        return size / best_of(lambda: hot_blocks(fn, block, count, start)) / GB

    ours, theirs = rate(checksum.adler32, 1), rate(zlib.adler32, 1)
    print(
        line("adler32, 1 MiB blocks (cache-hot)", ours, theirs),
        f"| {verdict(ours, 20)} 20 GB/s; {verdict(ours / theirs, 4)} 4x",
    )
    ours_crc, theirs_crc = rate(checksum.crc32, 0), rate(zlib.crc32, 0)
    print(line("crc32, 1 MiB blocks (cache-hot)", ours_crc, theirs_crc))
    ours_c = rate(checksum.crc32c, 0)
    print(f"{'crc32c, 1 MiB blocks (cache-hot)':<44} ours {ours_c:8.2f} GB/s   | {verdict(ours_c, 10)} 10 GB/s")

    memory_bound()

    md = 64 * MIB
    data = block * 64
    ours_md5 = md / best_of(lambda: checksum.md5(data), 3) / GB
    theirs_md5 = md / best_of(lambda: hashlib.md5(data).hexdigest(), 3) / GB  # noqa: S324
    print(line("md5, 64 MiB", ours_md5, theirs_md5))
    ours_sha = md / best_of(lambda: checksum.sha1(data), 3) / GB
    theirs_sha = md / best_of(lambda: hashlib.sha1(data).hexdigest(), 3) / GB  # noqa: S324
    print(line("sha1, 64 MiB", ours_sha, theirs_sha))

    small = block[:100]
    n = 1_000_000
    ours_ns = min(timeit.repeat(lambda: checksum.adler32(small), number=n, repeat=5)) / n * 1e9
    theirs_ns = min(timeit.repeat(lambda: zlib.adler32(small), number=n, repeat=5)) / n * 1e9
    print(
        f"{'adler32 call on 100 bytes (incl. lambda)':<44} ours {ours_ns:8.0f} ns     alternative {theirs_ns:8.0f} ns"
        f"     ratio {theirs_ns / ours_ns:6.2f}x | {verdict(ours_ns, 1000, higher_is_better=False)} 1 us"
    )


if __name__ == "__main__":
    main()
