"""`ctaops.tape`: devices, label records, writer and dump, checked against an independent reader."""

from __future__ import annotations

import os
import random
import zlib
from pathlib import Path

import pytest

from ctaops.errors import (
    CtaOpsFileNotFoundError,
    NotATapeError,
    RefusedError,
    TapeBlockTooLongError,
    TapeLabelError,
    WrongVsnError,
)
from ctaops.tape import (
    BLOCK_SIZE,
    Hdr1,
    Hdr2,
    MemoryTape,
    StDrive,
    TapeImage,
    Uhl1,
    Vol1,
    dump,
    inspect,
    label_tape,
    parse_label,
    write_files,
)
from tests.ctaops import tape_reader_from_spec as spec

VID = "V01007"


def labelled_image(tmp_path: Path, name: str = "t.img") -> Path:
    path = tmp_path / name
    with TapeImage(path, create=True) as tape:
        label_tape(tape, VID)
    return path


def test_label_session_layout(tmp_path: Path) -> None:
    path = labelled_image(tmp_path)
    objs = spec.read_simh(path)
    assert len(objs) == 3
    assert objs[2] is None
    assert spec.read_tape(path, VID) == []
    first, second = objs[0], objs[1]
    assert first is not None
    assert second is not None
    assert first == b"VOL1V01007" + b" " * 27 + b"CTA" + b" " * 37 + b"003"
    assert second[4:21] == b"PRELABEL         "
    with TapeImage(path) as tape:
        assert inspect(tape) == ("labelled", VID)


SHAPES = [0, 1, 262143, 262144, 262145, 3 * BLOCK_SIZE, 600000, 100]


def test_written_images_follow_the_spec(tmp_path: Path) -> None:
    path = labelled_image(tmp_path)
    rng = random.Random(5)  # noqa: S311 - reproducible test data
    payloads = [rng.randbytes(n) for n in SHAPES]
    with TapeImage(path, writable=True) as tape:
        written = write_files(tape, VID, payloads[:4], first_archive_id=4294967296)
        written += write_files(tape, VID, payloads[4:], first_archive_id=4294967300)
    files = spec.read_tape(path, VID)
    assert [f.fseq for f in files] == list(range(1, len(SHAPES) + 1))
    for w, f, data in zip(written, files, payloads):
        assert (w.fseq, w.block_id, w.archive_id) == (f.fseq, f.block_id, f.archive_id)
        assert (w.size, w.adler32) == (f.size, f.adler32) == (len(data), zlib.adler32(data))
        assert f.data == data
    assert files[0].blocks == [81]
    assert written[0].placeholder
    assert files[3].blocks == [BLOCK_SIZE]
    assert files[4].blocks == [BLOCK_SIZE, 1]
    assert files[2].blocks == [262143]
    assert files[0].archive_id == 4294967296
    # HDR1 file id is upper-case hex: 4294967296 -> 100000000.
    objs = spec.read_simh(path)
    hdr1 = objs[1]
    assert hdr1 is not None
    assert hdr1[4:21] == b"100000000        "


def test_thousands_of_small_files(tmp_path: Path) -> None:
    path = labelled_image(tmp_path)
    rng = random.Random(9)  # noqa: S311 - reproducible test data
    payloads = [rng.randbytes(rng.randrange(0, 700)) for _ in range(2500)]
    with TapeImage(path, writable=True) as tape:
        written = write_files(tape, VID, payloads)
    files = spec.read_tape(path, VID)
    assert len(files) == 2500
    assert [f.data for f in files] == payloads
    assert [w.block_id for w in written] == [f.block_id for f in files]


def test_write_from_paths_and_refusals(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(300000))
    path = labelled_image(tmp_path)
    with TapeImage(path, writable=True) as tape:
        [w] = write_files(tape, VID, [src])
        assert w.size == 300000
        assert w.checksum == f"{zlib.adler32(src.read_bytes()):08x}"
        with pytest.raises(WrongVsnError, match="does not match VID 'X00001'"):
            write_files(tape, "X00001", [b"x"])
        with pytest.raises(CtaOpsFileNotFoundError):
            write_files(tape, VID, [tmp_path / "missing"])
        with pytest.raises(RefusedError, match="holds data"):
            label_tape(tape, VID)
        assert inspect(tape) == ("data", VID)
    with TapeImage(path) as tape, pytest.raises(RefusedError, match="read-only"):
        write_files(tape, VID, [b"x"])


def test_relabel_rules() -> None:
    tape = MemoryTape()
    assert inspect(tape) == ("blank", None)
    label_tape(tape, VID)
    label_tape(tape, VID)  # same VID, no data: allowed
    with pytest.raises(RefusedError, match="labelled 'V01007'"):
        label_tape(tape, "V01008")
    label_tape(tape, "V01008", force=True)
    assert inspect(tape) == ("labelled", "V01008")
    write_files(tape, "V01008", [b"data"])
    label_tape(tape, "V01008", force=True)
    assert inspect(tape) == ("labelled", "V01008")


def test_device_operations() -> None:
    tape = MemoryTape()
    tape.write_record(b"abc")
    tape.write_tape_marks(2)
    tape.write_record(bytearray(b"xyz1"))
    assert tape.position == 4
    tape.rewind()
    assert tape.read_record() == b"abc"
    assert tape.read_record() == b""
    tape.space_marks_forward()
    assert tape.read_record() == b"xyz1"
    assert tape.read_record() is None
    tape.space_marks_backward(2)
    assert tape.position == 1
    tape.locate(0)
    with pytest.raises(TapeBlockTooLongError):
        tape.read_record(max_size=2)
    assert tape.skip_record() == 0
    assert "MemoryTape" in repr(tape)


def test_not_a_tape_and_missing_device(tmp_path: Path) -> None:
    with pytest.raises(NotATapeError, match="not a tape device"):
        StDrive("/dev/null")
    with pytest.raises(CtaOpsFileNotFoundError):
        StDrive(tmp_path / "nst9")
    with pytest.raises(CtaOpsFileNotFoundError):
        TapeImage(tmp_path / "none.img")


def test_label_records_round_trip_and_checks() -> None:
    vol1 = Vol1("V01007")
    raw = vol1.to_bytes()
    assert len(raw) == 80
    assert parse_label(raw) == vol1
    uhl1 = Uhl1("header", 7, 262144, 262144, "CERN", "TPSRV001", "IBM", "03592E08", "0000078D4A12")
    assert parse_label(uhl1.to_bytes()) == uhl1
    hdr2 = Hdr2("trailer", "00000", "00000")
    assert parse_label(hdr2.to_bytes()) == hdr2
    hdr1 = Hdr1("header", "100000000", VID, "0001", "026064", "026064", 0, "CTA 5.11.7.0-")
    assert hdr1.to_bytes() == (b"HDR1100000000        V0100700010001000100026064026064 000000CTA 5.11.7.0-       ")
    parsed = parse_label(hdr1.to_bytes())
    assert isinstance(parsed, Hdr1)
    assert parsed.archive_id == 4294967296
    assert parse_label(b"x" * 80) is None
    assert parse_label(b"VOL1") is None
    bad = bytearray(raw)
    bad[79:80] = b"4"
    with pytest.raises(TapeLabelError, match="VOL1 label standard"):
        parse_label(bytes(bad))
    bad_hdr = bytearray(hdr1.to_bytes())
    bad_hdr[41:47] = b"ABCDEF"
    with pytest.raises(TapeLabelError, match="HDR1 creation date"):
        parse_label(bytes(bad_hdr))


def test_dump_lists_every_object(tmp_path: Path) -> None:
    path = labelled_image(tmp_path)
    with TapeImage(path, writable=True) as tape:
        write_files(tape, VID, [b"a" * 600000, b"bb"])
        items = dump(tape)
    kinds = [(i.kind, i.name) for i in items]
    head = [("label", "VOL1"), ("label", "HDR1"), ("label", "HDR2"), ("label", "UHL1"), ("tape_mark", None)]
    assert kinds[:5] == head
    data = [i for i in items if i.kind == "data"]
    assert [(d.object, d.blocks, d.size, d.adler32) for d in data] == [
        (5, 3, 600000, zlib.adler32(b"a" * 600000)),
        (17, 1, 2, zlib.adler32(b"bb")),
    ]
    assert items[-1].kind == "tape_mark"
    assert items[-1].object == 22
