"""An independent reader of CTA tape images, written from cta-interfaces.md §3 and design.md only.

It shares no code with the Rust implementation: SIMH records are unpacked with ``struct``, labels
are sliced by the offsets of the spec's tables and checked against the written values it lists,
and Adler-32 comes from ``zlib``. Tests use it to check what ``ctaops`` writes, byte for byte.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

TAPE_MARK = None
BLOCK = 262144


class SpecError(AssertionError):
    """The image does not follow the spec."""


def read_simh(path: Path) -> list[bytes | None]:
    """Return the objects of a SIMH image: bytes for a record, None for a tape mark."""
    raw = path.read_bytes()
    out: list[bytes | None] = []
    off = 0
    while off < len(raw):
        if off + 4 > len(raw):
            raise SpecError(f"partial length word at byte {off}")
        (n,) = struct.unpack_from("<I", raw, off)
        if n == 0xFFFFFFFF:
            break
        if n == 0:
            out.append(TAPE_MARK)
            off += 4
            continue
        pad = n & 1
        end = off + 4 + n + pad + 4
        if end > len(raw):
            raise SpecError(f"record at byte {off} runs past the end")
        (trailer,) = struct.unpack_from("<I", raw, off + 4 + n + pad)
        if trailer != n:
            raise SpecError(f"record at byte {off}: lengths {n} and {trailer} disagree")
        out.append(raw[off + 4 : off + 4 + n])
        off = end
    return out


def _f(rec: bytes, off: int, length: int) -> str:
    return rec[off : off + length].decode("ascii")


def _blank(rec: bytes, off: int, length: int, what: str) -> None:
    if rec[off : off + length] != b" " * length:
        raise SpecError(f"{what} must be spaces: {rec[off : off + length]!r}")


def _nonblank(rec: bytes, off: int, length: int, what: str) -> str:
    text = _f(rec, off, length)
    if not text.strip():
        raise SpecError(f"{what} must not be blank")
    return text


def check_vol1(rec: bytes, vid: str) -> None:
    if len(rec) != 80 or rec[:4] != b"VOL1":
        raise SpecError(f"not a VOL1: {rec!r}")
    if _f(rec, 4, 6) != vid:
        raise SpecError(f"VSN {_f(rec, 4, 6)!r} != {vid!r}")
    _blank(rec, 10, 1, "VOL1 accessibility")
    _blank(rec, 11, 13, "VOL1 reserved1")
    _blank(rec, 24, 13, "VOL1 implementation id")
    if _f(rec, 37, 14) != "CTA".ljust(14):
        raise SpecError("VOL1 owner must be CTA")
    _blank(rec, 51, 26, "VOL1 reserved2")
    if _f(rec, 77, 2) not in ("00", "02", "  "):
        raise SpecError("VOL1 LBP method")
    if _f(rec, 79, 1) != "3":
        raise SpecError("VOL1 label standard must be 3")


@dataclass
class Hdr1Fields:
    label: str
    file_id: str
    vsn: str
    fseq4: str
    created: str
    block_count: str
    system_code: str


def check_hdr1(rec: bytes, label: str, vid: str) -> Hdr1Fields:
    if len(rec) != 80 or _f(rec, 0, 4) != label:
        raise SpecError(f"expected {label}: {rec!r}")
    fields = Hdr1Fields(
        label=label,
        file_id=_nonblank(rec, 4, 17, "file id").rstrip(),
        vsn=_f(rec, 21, 6),
        fseq4=_f(rec, 31, 4),
        created=_nonblank(rec, 41, 6, "creation date"),
        block_count=_f(rec, 54, 6),
        system_code=_nonblank(rec, 60, 13, "system code"),
    )
    if fields.vsn != vid:
        raise SpecError(f"{label} VSN {fields.vsn!r}")
    if _f(rec, 27, 4) != "0001" or _f(rec, 35, 4) != "0001" or _f(rec, 39, 2) != "00":
        raise SpecError(f"{label} constants")
    if _f(rec, 47, 6) != fields.created:
        raise SpecError(f"{label} expiration date must equal the creation date")
    _blank(rec, 53, 1, f"{label} accessibility")
    _blank(rec, 73, 7, f"{label} reserved")
    if not fields.system_code.startswith("CTA "):
        raise SpecError(f"{label} system code {fields.system_code!r}")
    if label == "HDR1" and fields.block_count != "000000":
        raise SpecError("HDR1 block count must be 000000")
    return fields


def check_hdr2(rec: bytes, label: str) -> None:
    if len(rec) != 80 or _f(rec, 0, 4) != label:
        raise SpecError(f"expected {label}: {rec!r}")
    if _f(rec, 4, 11) != "F0000000000":
        raise SpecError(f"{label} format/lengths for 262144-byte blocks: {_f(rec, 4, 11)!r}")
    _blank(rec, 15, 35, f"{label} density..reserved2")
    if _f(rec, 50, 2) != "00":
        raise SpecError(f"{label} AUL id")
    _blank(rec, 52, 28, f"{label} reserved3")


def check_uhl1(rec: bytes, label: str) -> int:
    if len(rec) != 80 or _f(rec, 0, 4) != label:
        raise SpecError(f"expected {label}: {rec!r}")
    if _f(rec, 14, 10) != "0000262144" or _f(rec, 24, 10) != "0000262144":
        raise SpecError(f"{label} block size / record length")
    free_text = ((34, 8, "site"), (42, 10, "host"), (52, 8, "vendor"), (60, 8, "model"), (68, 12, "serial"))
    for off, length, what in free_text:
        _nonblank(rec, off, length, f"{label} {what}")
    return int(_f(rec, 4, 10))


@dataclass
class SpecFile:
    fseq: int
    block_id: int
    archive_id: int
    size: int
    adler32: int
    blocks: list[int] = field(default_factory=list)
    data: bytes = b""


PLACEHOLDER = b"This file intentionally left blank: zero-length file cannot be recorded to tape.\x00"


def _read_file(objs: list[bytes | None], pos: int, fseq: int, vid: str) -> tuple[SpecFile, int]:
    """Check one file starting at object ``pos``; return it and the object after its last tape mark."""
    hdr1_pos = pos
    h1, h2, u1, tm = objs[pos : pos + 4]
    if h1 is None or h2 is None or u1 is None or tm is not TAPE_MARK:
        raise SpecError(f"file {fseq}: HDR1 HDR2 UHL1 TM expected at object {pos}")
    hdr1 = check_hdr1(h1, "HDR1", vid)
    check_hdr2(h2, "HDR2")
    if check_uhl1(u1, "UHL1") != fseq:
        raise SpecError(f"file {fseq}: UHL1 fSeq")
    if hdr1.fseq4 != f"{fseq % 10000:04d}":
        raise SpecError(f"file {fseq}: HDR1 fSeq field {hdr1.fseq4!r}")
    if hdr1.file_id != hdr1.file_id.upper() or hdr1.file_id.startswith("0X"):
        raise SpecError(f"file {fseq}: file id must be upper-case hex without 0x")
    pos += 4
    blocks: list[bytes] = []
    while objs[pos] is not TAPE_MARK:
        block = objs[pos]
        assert block is not None
        blocks.append(block)
        pos += 1
    pos += 1
    if not blocks:
        raise SpecError(f"file {fseq}: no data block")
    if any(len(b) != BLOCK for b in blocks[:-1]) or len(blocks[-1]) > BLOCK:
        raise SpecError(f"file {fseq}: block sizes {[len(b) for b in blocks]}")
    e1, e2, t1, tm2 = objs[pos : pos + 4]
    if e1 is None or e2 is None or t1 is None or tm2 is not TAPE_MARK:
        raise SpecError(f"file {fseq}: EOF1 EOF2 UTL1 TM expected at object {pos}")
    eof1 = check_hdr1(e1, "EOF1", vid)
    if eof1.file_id != hdr1.file_id or eof1.block_count != f"{len(blocks) % 1000000:06d}":
        raise SpecError(f"file {fseq}: EOF1 file id/block count")
    check_hdr2(e2, "EOF2")
    if check_uhl1(t1, "UTL1") != fseq:
        raise SpecError(f"file {fseq}: UTL1 fSeq")
    payload = b"".join(blocks)
    if payload == PLACEHOLDER:
        payload = b""
    found = SpecFile(
        fseq=fseq,
        block_id=0 if fseq == 1 else hdr1_pos,
        archive_id=int(hdr1.file_id, 16),
        size=len(payload),
        adler32=zlib.adler32(payload),
        blocks=[len(b) for b in blocks],
        data=payload if len(payload) <= 1 << 20 else b"",
    )
    return found, pos + 4


def read_tape(path: Path, vid: str) -> list[SpecFile]:
    """Check the whole image against §3 and return its files (data kept for small files)."""
    objs = read_simh(path)
    if not objs:
        raise SpecError("blank image")
    first = objs[0]
    if first is None:
        raise SpecError("tape mark at object 0")
    check_vol1(first, vid)
    if len(objs) == 3 and objs[1] is not None and objs[1][4:12] == b"PRELABEL":
        check_hdr1(objs[1], "HDR1", vid)
        if objs[2] is not TAPE_MARK:
            raise SpecError("PRELABEL must be followed by a tape mark")
        return []
    files: list[SpecFile] = []
    pos = 1
    while pos < len(objs):
        found, pos = _read_file(objs, pos, len(files) + 1, vid)
        files.append(found)
    if objs[-1] is not TAPE_MARK:
        raise SpecError("the tape must end with the last trailer's tape mark")
    return files
