"""SCSI library speed: READ ELEMENT STATUS decoding and full inventories, against pure Python.

Targets (issue 8): a 20,000-slot READ ELEMENT STATUS decoded in <= 10 ms; a full inventory of a
TS4500-size emulated library through the transport in <= 100 ms. The alternatives, in the same
run: a pure-Python ``struct`` decoder of the same bytes, and reading the emulated library's JSON
state file directly with ``json`` (what a Python tool would do without the transport).
"""

from __future__ import annotations

import json
import struct
import sys
import tempfile
from pathlib import Path

from _util import best_of, verdict
from ctaops import _core
from ctaops.library import Library

SLOTS = 20_000


def element_status_bytes(n: int) -> bytes:
    """A storage page with VOLTAG (52-byte descriptors), laid out as SMC-3 says."""
    desc = bytearray()
    for i in range(n):
        full = i % 10 != 0
        tag = f"V{i:05}L9".encode().ljust(32) + b"\0" * 4 if full else b" " * 32 + b"\0" * 4
        desc += struct.pack(">HBBBBBBBBH", 0x400 + i, 0x09 if full else 0x08, 0, 0, 0, 0, 0, 0, 1 if full else 0, 0)
        desc += tag + b"\0" * 4
    page = struct.pack(">BBHB", 2, 0x80, 52, 0) + len(desc).to_bytes(3, "big") + bytes(desc)
    return struct.pack(">HHB", 0x400, n, 0) + len(page).to_bytes(3, "big") + page


def python_decode(b: bytes) -> list[tuple[int, int, int, int, int, str | None]]:
    """The obvious pure-Python decoder: walk pages and descriptors with struct."""
    out = []
    count = int.from_bytes(b[5:8], "big")
    end = min(len(b), 8 + count)
    pos = 8
    unpack = struct.Struct(">HBxBBxxxBH").unpack_from
    while pos + 8 <= end:
        pvoltag = b[pos + 1] & 0x80
        dlen = int.from_bytes(b[pos + 2 : pos + 4], "big")
        page_end = min(end, pos + 8 + int.from_bytes(b[pos + 5 : pos + 8], "big"))
        d = pos + 8
        while d + dlen <= page_end:
            addr, flags, asc, ascq, b9, src = unpack(b, d)
            tag = b[d + 12 : d + 44].rstrip(b" \0").decode("ascii", "replace") if pvoltag else None
            out.append((addr, flags, asc, ascq, src if b9 & 0x80 else -1, tag or None))
            d += dlen
        pos = page_end
    return out


def main() -> None:
    print(f"python {sys.version.split()[0]}; {SLOTS} slots")
    data = element_status_bytes(SLOTS)
    assert _core.decode_element_status(data) == len(python_decode(data)) == SLOTS
    ours = best_of(lambda: _core.decode_element_status(data), 20) * 1e3
    theirs = best_of(lambda: python_decode(data), 5) * 1e3
    print(
        f"{'decode READ ELEMENT STATUS, 20,000 slots':<58} ours {ours:7.2f} ms   python struct {theirs:7.2f} ms"
        f"   ratio {theirs / ours:5.1f}x | {verdict(ours, 10, higher_is_better=False)} 10 ms"
    )

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "ts4500.json"
        lib = Library.create_emulated(state, slots=SLOTS, drives=128, ports=32, tapes=18_000)
        inv = lib.inventory()
        assert len(inv.slots) == SLOTS
        assert len(inv.drives) == 128
        ours = best_of(lib.inventory, 5) * 1e3

        def read_state_file() -> int:
            st = json.loads(state.read_text())
            return sum(1 for s in st["slots"] if s["cartridge"]) + len(st["drives"]) + len(st["ports"])

        theirs = best_of(read_state_file, 5) * 1e3
        print(
            f"{'Library.inventory(), TS4500-size emulated (end to end)':<58} ours {ours:7.2f} ms"
            f"   json.loads(state) {theirs:7.2f} ms   ratio {theirs / ours:5.1f}x"
            f" | {verdict(ours, 100, higher_is_better=False)} 100 ms"
        )


if __name__ == "__main__":
    main()
