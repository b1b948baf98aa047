"""`ctaops.verify.verify_tape`: clean tapes, selections, progress, and every corruption classified."""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from ctaops.errors import CtaOpsError, InvalidArgumentError
from ctaops.tape import BLOCK_SIZE, MemoryTape, TapeImage, label_tape, write_files
from ctaops.verify import (
    CatalogueEntry,
    Progress,
    load_tapefile_ls,
    parse_tapefile_ls,
    select_files,
    verify_tape,
)
from tests.ctaops import tape_reader_from_spec as spec

VID = "V01007"
SIZES = [600000, 100, 5000]

Objects = list[bytes | None]


def write_simh(path: Path, objs: Objects) -> None:
    out = bytearray()
    for o in objs:
        if o is None:
            out += b"\0\0\0\0"
            continue
        n = struct.pack("<I", len(o))
        out += n + o + (b"\0" if len(o) % 2 else b"") + n
    path.write_bytes(bytes(out))


def record_offsets(path: Path) -> list[int]:
    raw = path.read_bytes()
    offs, off = [], 0
    while off < len(raw):
        offs.append(off)
        (n,) = struct.unpack_from("<I", raw, off)
        off += 4 if n == 0 else 8 + n + (n & 1)
    return offs


@pytest.fixture
def image(tmp_path: Path) -> tuple[Path, list[CatalogueEntry]]:
    path = tmp_path / "t.img"
    rng = random.Random(1)  # noqa: S311 - reproducible test data
    with TapeImage(path, create=True) as tape:
        label_tape(tape, VID)
        written = write_files(tape, VID, [rng.randbytes(n) for n in SIZES], first_archive_id=4294967296)
    cat = [CatalogueEntry(w.fseq, w.block_id, w.archive_id, w.size, w.adler32) for w in written]
    return path, cat


def statuses(path: Path, cat: list[CatalogueEntry]) -> tuple[list[tuple[int, str]], str]:
    report = verify_tape(path, VID, catalogue=cat)
    text = " ".join(f.detail for f in report.files) + " " + " ".join(report.tape_errors)
    return [(f.fseq, f.status) for f in report.files], text


def test_clean_image_is_ok(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    report = verify_tape(path, VID, catalogue=cat)
    assert report.all_ok
    assert report.volume is not None
    assert report.volume.vsn == VID
    assert [f.status for f in report.files] == ["ok"] * 3
    assert report.summary.bytes == sum(SIZES)
    assert report.summary.counts["ok"] == 3
    assert report.files[1].block_id == 13
    assert report.files[1].position == 13
    assert report.files[0].checksum == f"{cat[0].adler32:08x}"


def test_selection_and_progress(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    seen: list[Progress] = []
    report = verify_tape(TapeImage(path), VID, catalogue=cat, fseqs=[3], last=1, progress=seen.append)
    assert [(f.fseq, f.status) for f in report.files] == [(3, "ok")]
    assert seen
    assert seen[-1].files_done == 1
    assert seen[-1].bytes_done == 5000
    assert seen[-1].bytes_total == 5000
    report = verify_tape(path, VID, catalogue=cat, random=2, seed=3)
    assert len(report.files) == 2
    again = verify_tape(path, VID, catalogue=cat, random=2, seed=3)
    assert [f.fseq for f in again.files] == [f.fseq for f in report.files]
    report = verify_tape(path, VID, catalogue=cat, min_bytes=600001)
    assert report.summary.bytes >= 600001


def test_progress_callback_errors_propagate(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image

    def boom(_: Progress) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        verify_tape(path, VID, catalogue=cat, progress=boom)


def test_selection_needs_a_catalogue(image: tuple[Path, list[CatalogueEntry]]) -> None:
    with pytest.raises(InvalidArgumentError, match="needs the catalogue"):
        verify_tape(image[0], VID, first=1)


def tapefile_record(fseq: int, archive_id: int, size: int, adler32: str, vid: str = VID) -> dict[str, object]:
    """A complete `cta-admin --json tapefile ls` record (cta-interfaces.md §1.7)."""
    return {
        "af": {
            "archiveId": str(archive_id),
            "storageClass": "ctaops_sc",
            "creationTime": "1741170001",
            "checksum": [{"type": "ADLER32", "value": adler32}],
            "size": str(size),
        },
        "df": {"diskId": "5401234", "diskInstance": "eosctaops", "ownerId": {"uid": 1, "gid": 2}, "path": ""},
        "tf": {"vid": vid, "copyNb": 1, "blockId": "0", "fSeq": str(fseq)},
        "instanceName": "eosctaops",
    }


def test_tapefile_ls_parsing(tmp_path: Path) -> None:
    doc = [tapefile_record(1, 4294967296, 600000, "0a0b0c0d"), tapefile_record(1, 7, 1, "00000001", vid="OTHER1")]
    assert parse_tapefile_ls(json.dumps(doc), VID) == [CatalogueEntry(1, 0, 4294967296, 600000, 0x0A0B0C0D)]
    p = tmp_path / "tf.json"
    p.write_text(json.dumps(doc))
    assert load_tapefile_ls(p, VID)[0].adler32 == 0x0A0B0C0D
    # --jsonl output is read too.
    assert parse_tapefile_ls("\n".join(json.dumps(r) for r in doc), VID)[0].archive_id == 4294967296


def test_tapefile_ls_is_parsed_with_the_strict_cta_schema() -> None:
    # The shared cta-admin parser requires every field of CTA's record: a lenient subset (what the
    # tape crate's own parser used to accept) is refused, naming the record and the missing field.
    subset = '[{"af": {"archiveId": "1", "size": "1"}, "tf": {"blockId": "0"}}]'
    with pytest.raises(CtaOpsError, match=r"record 1.*storageClass|record 1.*missing"):
        parse_tapefile_ls(subset, VID)
    bad = tapefile_record(1, 1, 1, "zz")
    with pytest.raises(CtaOpsError, match="bad ADLER32 value 'zz'"):
        parse_tapefile_ls(json.dumps([bad]), VID)
    with pytest.raises(CtaOpsError, match="not JSON"):
        parse_tapefile_ls("garbage", VID)


def test_select_files_matches_the_engine(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    chosen, not_listed = select_files(cat, fseqs=[9], first=1, random=1, seed=5)
    assert not_listed == [9]
    assert chosen[0] == 1
    assert len(chosen) == 2
    report = verify_tape(path, VID, catalogue=cat, fseqs=[9], first=1, random=1, seed=5)
    assert [f.fseq for f in report.files if f.status == "ok"] == chosen
    assert select_files(cat, min_bytes=1)[0]
    assert select_files(cat)[0] == []


# Objects of the fixture image: file 1 HDR1 at 1 (data 5-7), file 2 at 13 (data 17), file 3 at 23 (data 27).
def edit(path: Path, change: Callable[[Objects], None]) -> None:
    objs = spec.read_simh(path)
    change(objs)
    write_simh(path, objs)


def flip(objs: Objects, i: int, off: int) -> None:
    rec = objs[i]
    assert rec is not None
    b = bytearray(rec)
    b[off] ^= 0x20
    objs[i] = bytes(b)


def patch(objs: Objects, i: int, off: int, text: bytes) -> None:
    rec = objs[i]
    assert rec is not None
    objs[i] = rec[:off] + text + rec[off + len(text) :]


CASES: dict[str, tuple[Callable[[Objects], None], list[tuple[int, str]], str]] = {
    "data byte flipped": (lambda o: flip(o, 6, 1000), [(1, "checksum_mismatch"), (2, "ok"), (3, "ok")], "Adler-32"),
    "label field out of spec": (
        lambda o: patch(o, 14, 50, b"01"),
        [(1, "ok"), (2, "header_error"), (3, "ok")],
        "AUL id",
    ),
    "wrong VSN": (
        lambda o: patch(o, 0, 4, b"X99999"),
        [(1, "missing"), (2, "missing"), (3, "missing")],
        "the tape was not read further",
    ),
    "HDR1 of another tape": (
        lambda o: patch(o, 23, 21, b"X99999"),
        [(1, "ok"), (2, "ok"), (3, "header_error")],
        "HDR1 VSN 'X99999'",
    ),
    "missing tape mark after UHL1": (
        lambda o: o.pop(16),
        [(1, "ok"), (2, "header_error"), (3, "header_error")],
        "tape mark after UHL1",
    ),
    "missing tape mark after data": (
        lambda o: o.pop(28),
        [(1, "ok"), (2, "ok"), (3, "header_error")],
        "tape mark missing after the data",
    ),
    "missing tape mark after UTL1": (
        lambda o: o.pop(12),
        [(1, "header_error"), (2, "header_error"), (3, "header_error")],
        "next file's HDR1",
    ),
    "extra tape mark in data": (
        lambda o: o.insert(6, None),
        [(1, "size_mismatch"), (2, "header_error"), (3, "header_error")],
        "where EOF1 was expected",
    ),
    "extra tape mark at end": (lambda o: o.append(None), [(1, "ok"), (2, "ok"), (3, "ok")], "tape mark where"),
    "block longer than UHL1 block size": (
        lambda o: o.__setitem__(5, b"\1" * (BLOCK_SIZE + 2)),
        [(1, "unreadable"), (2, "ok"), (3, "ok")],
        "longer than the UHL1 block size",
    ),
    "UHL1 says a smaller block size": (
        lambda o: patch(o, 3, 14, b"0000100000"),
        [(1, "unreadable"), (2, "ok"), (3, "ok")],
        "UHL1 block size 100000",
    ),
    "gap in fSeq": (
        lambda o: patch(o, 15, 4, b"0000000004"),
        [(1, "ok"), (2, "header_error"), (3, "ok")],
        "UHL1 says fSeq 4",
    ),
    "file shorter than the catalogue": (
        lambda o: o.__setitem__(7, (o[7] or b"")[:-10]),
        [(1, "size_mismatch"), (2, "ok"), (3, "ok")],
        "catalogue says 600000",
    ),
    "file longer than the catalogue": (
        lambda o: o.__setitem__(17, (o[17] or b"") + b"xx"),
        [(1, "ok"), (2, "size_mismatch"), (3, "ok")],
        "read 102 bytes",
    ),
    "EOF1 block count wrong": (
        lambda o: patch(o, 9, 54, b"000009"),
        [(1, "header_error"), (2, "ok"), (3, "ok")],
        "EOF1 block count 9",
    ),
    "truncated tape": (lambda o: o.__delitem__(slice(18, None)), [(1, "ok"), (2, "unreadable"), (3, "missing")], ""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_corruption_is_classified(name: str, image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    change, want, needle = CASES[name]
    edit(path, change)
    got, text = statuses(path, cat)
    assert got == want, text
    assert needle in text
    assert not verify_tape(path, VID, catalogue=cat).all_ok


def test_broken_simh_framing(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    raw = bytearray(path.read_bytes())
    off = record_offsets(path)[6]
    (n,) = struct.unpack_from("<I", raw, off)
    struct.pack_into("<I", raw, off + 4 + n + (n & 1), n + 2)
    path.write_bytes(bytes(raw))
    got, text = statuses(path, cat)
    assert got == [(1, "unreadable"), (2, "ok"), (3, "ok")]
    assert "broken SIMH framing" in text


def test_truncated_record(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    raw = path.read_bytes()
    path.write_bytes(raw[: record_offsets(path)[17] + 50])
    got, text = statuses(path, cat)
    assert got == [(1, "ok"), (2, "unreadable"), (3, "missing")]
    assert "truncated record" in text


def test_truncated_image_inside_a_length_word(image: tuple[Path, list[CatalogueEntry]]) -> None:
    path, cat = image
    raw = path.read_bytes()
    path.write_bytes(raw[: record_offsets(path)[23] + 2])
    got, text = statuses(path, cat)
    assert got == [(1, "ok"), (2, "ok"), (3, "missing")]
    assert "truncated image" in text


def test_unexpected_and_placeholder(tmp_path: Path) -> None:
    tape = MemoryTape()
    label_tape(tape, VID)
    written = write_files(tape, VID, [b"one", b"", b"three", b"four"])
    cat = [CatalogueEntry(w.fseq, w.block_id, w.archive_id, w.size, w.adler32) for w in written[:3]]
    cat = [c for c in cat if c.size]
    report = verify_tape(tape, VID, catalogue=cat)
    assert [(f.fseq, f.status) for f in report.files] == [(1, "ok"), (2, "placeholder"), (3, "ok"), (4, "unexpected")]
    cat.append(CatalogueEntry(9, 99, 9, 1, 1))
    report = verify_tape(tape, VID, catalogue=cat)
    assert report.files[-1].status == "missing"


def test_blank_tape_and_no_catalogue(tmp_path: Path) -> None:
    report = verify_tape(MemoryTape(), VID, catalogue=[CatalogueEntry(1, 0, 1, 1, None)])
    assert [f.status for f in report.files] == ["missing"]
    assert report.tape_errors == ["the tape is blank (no VOL1)"]
    tape = MemoryTape()
    label_tape(tape, VID)
    write_files(tape, VID, [b"abc"])
    report = verify_tape(tape, VID)
    assert report.all_ok
    assert "no catalogue" in report.files[0].detail
