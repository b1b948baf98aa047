"""`ctaops tape label/write/dump/verify --device /dev/nstN` through the kernel's st driver on tgt.

Regression tests for issue 15: a blank cartridge was taken for "data without a valid VOL1", write
failed with EIO, dump failed with EINVAL yet exited 0, verify never returned. The tapes written
here are read back with plain read(2) on the st node (not our reader) and compared record for
record with what `ctaops tape write --image` makes of the same files.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import time
import zlib
from pathlib import Path

import pytest

from conftest import DriveDev, Lib, ctaops, load, run

BLOCK = 256 * 1024


def sizes_to_payloads(sizes: list[int]) -> list[bytes]:
    return [os.urandom(n) for n in sizes]


def simh_records(image: Path) -> list[bytes | None]:
    """The records of a SIMH image (None for a tape mark): 4-byte little-endian length, data
    padded to even length, the length again."""
    data = image.read_bytes()
    out: list[bytes | None] = []
    i = 0
    while i + 4 <= len(data):
        (n,) = struct.unpack_from("<I", data, i)
        if n == 0:
            out.append(None)
            i += 4
            continue
        if n == 0xFFFFFFFF:
            break
        out.append(data[i + 4 : i + 4 + n])
        i += 4 + n + (n & 1) + 4
    return out


MTIOCGET = 0x80306D02  # _IOR('m', 2, struct mtget): 5 longs and 2 ints on x86_64
GMT_EOD = 0x08000000


def at_end_of_data(fd: int) -> bool:
    status = fcntl.ioctl(fd, MTIOCGET, bytes(48))
    return bool(struct.unpack_from("<5q2i", status)[3] & GMT_EOD)


def st_records(nst: str, count: int) -> list[bytes | None]:
    """The first `count` records with read(2) in variable-block mode (None for a tape mark), then
    a check that end of data follows. tgt answers a read at end of data with a buffer of stale
    bytes and the EOD status bit (not BLANK CHECK), so the bit is what says where the data ends."""
    run("mt", "-f", nst, "setblk", "0", check=True)
    run("mt", "-f", nst, "rewind", check=True)
    out: list[bytes | None] = []
    fd = os.open(nst, os.O_RDONLY)
    try:
        for _ in range(count):
            block = os.read(fd, 1024 * 1024)
            assert not at_end_of_data(fd), f"end of data after {len(out)} records"
            out.append(block or None)
        os.read(fd, 1024 * 1024)
        assert at_end_of_data(fd), f"more than {count} records on the tape"
    finally:
        os.close(fd)
    run("mt", "-f", nst, "rewind", check=True)
    return out


def write_files(tmp: Path, payloads: list[bytes]) -> list[Path]:
    paths = []
    for i, data in enumerate(payloads):
        p = tmp / f"file{i}"
        p.write_bytes(data)
        paths.append(p)
    return paths


def tapefile_ls(vid: str, written: list[dict]) -> str:
    """What `cta-admin --json tapefile ls --vid VID` prints for the written files."""
    return json.dumps(
        [
            {
                "af": {
                    "archiveId": str(f["archiveId"]),
                    "storageClass": "sc",
                    "creationTime": "1765000000",
                    "checksum": [{"type": "ADLER32", "value": f["checksum"]}],
                    "size": str(f["size"]),
                },
                "df": {"diskId": "1", "diskInstance": "eos", "ownerId": {"uid": 1, "gid": 1}, "path": ""},
                "tf": {"vid": vid, "copyNb": 1, "blockId": str(f["blockId"]), "fSeq": str(f["fseq"])},
                "instanceName": "eos",
            }
            for f in written
            if not f["placeholder"]
        ]
    )


@pytest.fixture
def blank(ts4500: Lib) -> DriveDev:
    """A never-written cartridge in drive 0."""
    return load(ts4500, ts4500.slot_cartridges[0], drive=0)


def test_blank_cartridge_is_blank_then_labelled(blank: DriveDev) -> None:
    dump = ctaops("tape", "dump", "--device", blank.nst, "--json")
    assert dump.returncode == 0, dump.stderr
    assert json.loads(dump.stdout)["items"] == []
    dry = ctaops("tape", "label", "--device", blank.nst, "--vid", "CTA001", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(ctaops("tape", "dump", "--device", blank.nst, "--json").stdout)["items"] == []
    res = ctaops("tape", "label", "--device", blank.nst, "--vid", "CTA001")
    assert res.returncode == 0, res.stderr
    records = st_records(blank.nst, 3)
    assert records[0] is not None
    assert records[0].startswith(b"VOL1CTA001")
    assert records[1] is not None
    assert records[1].startswith(b"HDR1PRELABEL")
    assert records[2] is None
    again = ctaops("tape", "label", "--device", blank.nst, "--vid", "CTA999")
    assert again.returncode == 1
    assert "CTA001" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_written_tape_is_the_image_record_for_record_and_verifies(ts4500: Lib, tmp_path: Path) -> None:
    dev = load(ts4500, ts4500.slot_cartridges[1], drive=1)
    vid = "CTA002"
    payloads = sizes_to_payloads([0, 4, BLOCK - 1, BLOCK, BLOCK + 5, 3 * BLOCK + 17, 5_000_000])
    files = write_files(tmp_path, payloads)
    image = tmp_path / "image.simh"
    for target in (["--device", dev.nst], ["--image", str(image)]):
        assert ctaops("tape", "label", *target, "--vid", vid, "--force").returncode == 0
    on_drive = ctaops("tape", "write", "--device", dev.nst, "--vid", vid, "--json", *map(str, files[:4]))
    assert on_drive.returncode == 0, on_drive.stderr
    # A second session appends after the first, as a tape server's next mount would.
    more = ctaops("tape", "write", "--device", dev.nst, "--vid", vid, "--json", *map(str, files[4:]))
    assert more.returncode == 0, more.stderr
    in_image = ctaops("tape", "write", "--image", str(image), "--vid", vid, "--json", *map(str, files))
    assert in_image.returncode == 0, in_image.stderr
    written = json.loads(on_drive.stdout)["files"] + json.loads(more.stdout)["files"]
    assert [(f["fseq"], f["blockId"], f["size"], f["checksum"]) for f in written] == [
        (f["fseq"], f["blockId"], f["size"], f["checksum"]) for f in json.loads(in_image.stdout)["files"]
    ]
    # The empty file goes to tape as CTA's placeholder block; the others are the payloads.
    assert [f["placeholder"] for f in written] == [p == b"" for p in payloads]
    assert [f["adler32"] for f in written if not f["placeholder"]] == [zlib.adler32(p) for p in payloads if p]

    expected = simh_records(image)
    tape = st_records(dev.nst, len(expected))
    for got, want in zip(tape, expected, strict=True):
        if want is not None and want[:4] in (b"UHL1", b"UTL1"):
            # CTA writes the drive's INQUIRY vendor, product and serial into UHL1/UTL1.
            assert got is not None
            assert got[:52] == want[:52]
            assert got[52:60].decode().strip() == "IBM"
            assert got[60:68].decode().strip() == "ULT3580-"
            assert got[68:80].decode().strip() == dev.serial
        else:
            assert got == want

    catalogue = tmp_path / "tapefile-ls.json"
    catalogue.write_text(tapefile_ls(vid, written))
    res = ctaops(
        "tape", "verify", "--device", dev.nst, "--vid", vid, "--catalogue", str(catalogue), "--json", timeout=300
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    results = report["files"]
    assert [r["fseq"] for r in results] == [f["fseq"] for f in written]
    # The empty file is on tape as CTA's placeholder, and not in the catalogue.
    assert [r["status"] for r in results] == ["placeholder"] + ["ok"] * (len(written) - 1), results
    # One file in the middle: the drive cannot LOCATE (tgt), so ctaops reads forward to it.
    res = ctaops(
        "tape", "verify", "--device", dev.nst, "--vid", vid, "--catalogue", str(catalogue), "--fseq", "5", "--json"
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    results = report["files"]
    assert [r["fseq"] for r in results] == [5]
    assert results[0]["status"] == "ok"

    dump = ctaops("tape", "dump", "--device", dev.nst, "--json")
    assert dump.returncode == 0, dump.stderr
    data_runs = [i for i in json.loads(dump.stdout)["items"] if i["kind"] == "data"]
    # One data run per file: the placeholder block of the empty file, then the payloads.
    assert len(data_runs) == len(written)
    assert [d["adler32"] for d in data_runs[1:]] == [zlib.adler32(p) for p in payloads if p]


def test_a_corrupted_block_is_reported_bad(ts4500: Lib, tmp_path: Path) -> None:
    """verify compares checksums: one that disagrees with the catalogue is a mismatch, exit 1."""
    dev = load(ts4500, ts4500.slot_cartridges[2], drive=2)
    vid = "CTA003"
    files = write_files(tmp_path, sizes_to_payloads([700_000, 10]))
    assert ctaops("tape", "label", "--device", dev.nst, "--vid", vid, "--force").returncode == 0
    res = ctaops("tape", "write", "--device", dev.nst, "--vid", vid, "--json", *map(str, files))
    assert res.returncode == 0, res.stderr
    written = json.loads(res.stdout)["files"]
    written[0]["checksum"] = f"{(int(written[0]['checksum'], 16) ^ 1):08x}"
    catalogue = tmp_path / "tapefile-ls.json"
    catalogue.write_text(tapefile_ls(vid, written))
    res = ctaops("tape", "verify", "--device", dev.nst, "--vid", vid, "--catalogue", str(catalogue), "--json")
    assert res.returncode == 1
    report = json.loads(res.stdout)
    results = report["files"]
    assert [r["status"] for r in results] == ["checksum_mismatch", "ok"]


def test_fixed_block_tape_is_refused(ts4500: Lib) -> None:
    dev = load(ts4500, ts4500.slot_cartridges[3], drive=0)
    run("mt", "-f", dev.nst, "rewind", check=True)
    run("mt", "-f", dev.nst, "setblk", "512", check=True)
    dd = run("dd", "if=/dev/urandom", f"of={dev.nst}", "bs=512", "count=64", "iflag=fullblock")
    assert dd.returncode == 0, dd.stderr
    run("mt", "-f", dev.nst, "weof", "1", check=True)
    # The drive is still in fixed-block mode here; ctaops sets variable mode itself.
    for verb in (["verify", "--vid", "CTA004"], ["write", "--vid", "CTA004", "/etc/hostname"]):
        res = ctaops("tape", *verb[:1], "--device", dev.nst, *verb[1:])
        assert res.returncode == 1, res
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, res.stderr
        assert "VOL1" in lines[0], res.stderr
    label = ctaops("tape", "label", "--device", dev.nst, "--vid", "CTA004")
    assert label.returncode == 1, label.stderr
    assert "--force" in label.stderr, label.stderr
    dump = ctaops("tape", "dump", "--device", dev.nst, "--json")
    items = json.loads(dump.stdout)["items"]
    # Not a CTA tape: the layout problem comes first, then the 512-byte blocks it is about.
    assert dump.returncode == 1
    assert items[0]["kind"] == "problem"
    assert "where VOL1 was expected" in items[0]["detail"]
    assert items[1]["kind"] == "data"
    assert items[1]["largest_block"] == 512


def test_write_until_the_cartridge_is_full(ts4500: Lib, tmp_path: Path) -> None:
    """64 MiB cartridge: files fill it, the one that crosses the end gets TAPE_FULL (ENOSPC, what CTA
    expects), quickly; what was written before stays readable and verifies."""
    dev = load(ts4500, ts4500.slot_cartridges[4], drive=1)
    vid = "CTA005"
    assert ctaops("tape", "label", "--device", dev.nst, "--vid", vid, "--force").returncode == 0
    files = write_files(tmp_path, sizes_to_payloads([20 << 20, 20 << 20, 40 << 20]))
    started = time.monotonic()
    res = ctaops("tape", "write", "--device", dev.nst, "--vid", vid, "--json", *map(str, files), timeout=600)
    assert time.monotonic() - started < 300
    assert res.returncode == 1
    assert "TAPE_FULL" in res.stderr or "end of medium" in res.stderr.lower(), res.stderr
    written = json.loads(res.stdout)["files"]
    assert [f["fseq"] for f in written] == [1, 2]
    catalogue = tmp_path / "tapefile-ls.json"
    catalogue.write_text(tapefile_ls(vid, written))
    # The file cut off by the end of the medium is not in the catalogue (CTA fails it and marks the
    # tape full); the ones before it read back whole.
    res = ctaops(
        "tape",
        "verify",
        "--device",
        dev.nst,
        "--vid",
        vid,
        "--catalogue",
        str(catalogue),
        "--fseq",
        "1-2",
        "--json",
        timeout=300,
    )
    assert res.returncode == 0, res.stdout
    assert [r["status"] for r in json.loads(res.stdout)["files"]] == ["ok", "ok"]


def test_no_cartridge_and_not_a_tape_are_clear_errors(ts4500: Lib) -> None:
    empty = ts4500.drives[0]
    res = ctaops("tape", "dump", "--device", empty.nst)
    assert res.returncode == 1
    assert "no tape loaded" in res.stderr, res.stderr
    res = ctaops("tape", "dump", "--device", ts4500.changer)
    assert res.returncode == 1
    assert len(res.stderr.strip().splitlines()) == 1


def test_a_block_below_the_drive_minimum_is_refused_before_writing(ts4500: Lib, tmp_path: Path) -> None:
    """tgt's drives take blocks of 4 bytes or more (READ BLOCK LIMITS); a 3-byte file would end in a
    3-byte block. ctaops refuses before writing anything instead of leaving a half-written file."""
    dev = load(ts4500, ts4500.slot_cartridges[2], drive=0)
    assert ctaops("tape", "label", "--device", dev.nst, "--vid", "CTA003", "--force").returncode == 0
    before = st_records(dev.nst, 3)
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    res = ctaops("tape", "write", "--device", dev.nst, "--vid", "CTA003", "/etc/hostname", str(small))
    assert res.returncode == 1
    assert "minimum block size of 4 bytes" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert st_records(dev.nst, 3) == before
