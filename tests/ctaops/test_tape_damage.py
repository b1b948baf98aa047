"""Issue 17: damaged tapes through `ctaops tape verify` and `tape dump`, as an operator runs them.

Images are written by the CLI, then edited record by record (read with the independent SIMH
reader of ``tape_reader_from_spec``, written back here), so every case is a real image file.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from ctaops.tape import TapeImage, dump
from ctaops.verify import load_tapefile_ls, verify_tape
from tests.ctaops import tape_reader_from_spec as spec
from tests.ctaops.test_tape_cli import VID, run

Objects = list[bytes | None]


def write_simh(path: Path, objects: Objects, *, end_marker: bool = False, after: bytes = b"") -> None:
    out = bytearray()
    for o in objects:
        if o is None:
            out += b"\0\0\0\0"
        else:
            n = struct.pack("<I", len(o))
            out += n + o + b"\0" * (len(o) & 1) + n
    if end_marker:
        out += b"\xff\xff\xff\xff" + after
    path.write_bytes(bytes(out))


@pytest.fixture
def eight(tmp_path: Path, ctaops_native: str) -> tuple[Path, Path, Objects, list[dict[str, Any]]]:
    """An image of 8 files of 600000 bytes (3 blocks each) and its `tapefile ls` listing."""
    image = tmp_path / "V01007.img"
    assert run(ctaops_native, "tape", "label", "--image", image, "--vid", VID).returncode == 0
    sources = []
    for i in range(8):
        p = tmp_path / f"f{i}"
        p.write_bytes(bytes([i]) * 600_000)
        sources.append(p)
    res = run(ctaops_native, "tape", "write", "--image", image, "--vid", VID, "--json", *sources)
    assert res.returncode == 0, res.stderr
    written = json.loads(res.stdout)["files"]
    listing = tmp_path / "tapefile-ls.json"
    listing.write_text(listing_json(written, lambda f: [{"type": "ADLER32", "value": f["checksum"]}]))
    return image, listing, spec.read_simh(image), written


def listing_json(written: list[dict[str, Any]], checksums: Any, vid: str = VID) -> str:
    return json.dumps(
        [
            {
                "af": {
                    "archiveId": str(f["archiveId"]),
                    "storageClass": "sc",
                    "creationTime": "1741170001",
                    "checksum": checksums(f),
                    "size": str(f["size"]),
                },
                "df": {"diskId": "1", "diskInstance": "eos", "ownerId": {"uid": 1, "gid": 1}, "path": ""},
                "tf": {"vid": vid, "copyNb": 1, "blockId": str(f["blockId"]), "fSeq": str(f["fseq"])},
                "instanceName": "eos",
            }
            for f in written
        ]
    )


def hdr1_of(fseq: int) -> int:
    """Object of file `fseq`'s HDR1 on the `eight` image (12 objects a file after VOL1)."""
    return 1 + (fseq - 1) * 12


def statuses(stdout: str) -> dict[int, str]:
    return {f["fseq"]: f["status"] for f in json.loads(stdout)["files"]}


def test_one_broken_hdr1_is_blamed_on_its_file_in_both_readings(
    eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str
) -> None:
    image, listing, objs, written = eight
    rec = bytearray(objs[hdr1_of(2)] or b"")
    rec[0:1] = b"I"  # HDR1 -> IDR1
    objs[hdr1_of(2)] = bytes(rec)
    write_simh(image, objs)
    want = dict.fromkeys(range(1, 9), "ok") | {2: "header_error"}
    seq = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", listing, "--json")
    pos = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", listing, "--json", "--first", "100")
    assert seq.returncode == pos.returncode == 1
    assert statuses(seq.stdout) == statuses(pos.stdout) == want
    files = json.loads(seq.stdout)["files"]
    # File 2's own data, not file 3's, is what was read for it.
    assert files[1]["checksum"] == written[1]["checksum"]
    assert "IDR1" in files[1]["detail"]


def test_a_lost_block_says_size_and_checksum_too(
    eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str
) -> None:
    image, listing, objs, _ = eight
    del objs[hdr1_of(3) + 5]  # the second 256 KiB block of file 3
    write_simh(image, objs)
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", listing, "--json")
    assert res.returncode == 1
    f3 = json.loads(res.stdout)["files"][2]
    assert f3["status"] == "size_mismatch"
    assert "read 337856 bytes, catalogue says 600000" in f3["detail"]
    assert "Adler-32" in f3["detail"]
    assert "EOF1 block count 3" in f3["detail"]


@pytest.mark.parametrize(
    ("checksums", "status"),
    [
        (lambda f: [], "no_checksum"),
        (lambda f: [{"type": "NONE", "value": "0"}], "no_checksum"),
        (lambda f: [{"type": "CRC32C", "value": "00000000"}], "checksum_mismatch"),
        (
            lambda f: [{"type": "ADLER32", "value": f["checksum"]}, {"type": "CRC32C", "value": "00000000"}],
            "checksum_mismatch",
        ),
    ],
)
def test_records_without_a_comparable_adler32_are_not_ok(
    eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str, checksums: Any, status: str
) -> None:
    image, listing, _, written = eight
    listing.write_text(listing_json(written[:1], checksums))
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", listing, "--first", "1", "--json")
    assert res.returncode == 1
    assert statuses(res.stdout) == {1: status}


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli, reflected 0x82F63B78), table-driven, independent of ctaops."""
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def test_a_right_crc32c_alone_verifies_in_the_cli_and_in_python(
    eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str
) -> None:
    image, listing, _, written = eight
    value = f"{crc32c(bytes([0]) * 600_000):08x}"
    listing.write_text(listing_json(written[:1], lambda f: [{"type": "CRC32C", "value": value}]))
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", listing, "--first", "1", "--json")
    assert res.returncode == 0, res.stdout
    assert statuses(res.stdout) == {1: "ok"}
    entries = load_tapefile_ls(listing, VID)
    assert entries[0].adler32 is None
    assert entries[0].checksums == (("CRC32C", value),)
    assert [f.status for f in verify_tape(image, VID, catalogue=entries, first=1).files] == ["ok"]


def test_a_wrong_cartridge_stops_after_vol1(eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str) -> None:
    image, _, _, written = eight
    other = image.parent / "other.json"
    other.write_text(listing_json(written, lambda f: [{"type": "ADLER32", "value": f["checksum"]}], vid="V99999"))
    res = run(exe, "tape", "verify", "--image", image, "--vid", "V99999", "--catalogue", other, "--json")
    assert res.returncode == 1
    doc = json.loads(res.stdout)
    assert doc["summary"]["bytes"] == 0
    assert {f["status"] for f in doc["files"]} == {"missing"}
    assert all(f["detail"].startswith("not read: VOL1 VSN 'V01007'") for f in doc["files"])
    # Another tape's listing, or an empty one, is refused in one line instead of 8 `unexpected`.
    for text, needle in ((other.read_text(), "none on V01007 (it lists V99999)"), ("[]", "no files on V01007")):
        other.write_text(text)
        res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", other)
        assert res.returncode == 1
        assert res.stderr.count("\n") == 1, res.stderr
        assert needle in res.stderr
        assert "unexpected" not in res.stdout


DAMAGE = {
    "VOL1 id": lambda o: o.__setitem__(0, b"X" + (o[0] or b"")[1:]),
    "HDR1 id": lambda o: o.__setitem__(hdr1_of(4), b"I" + (o[hdr1_of(4)] or b"")[1:]),
    "tape mark lost": lambda o: o.__delitem__(hdr1_of(2) + 3),
    "tape mark added": lambda o: o.insert(hdr1_of(2) + 5, None),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_dump_exits_1_on_a_tape_out_of_spec(
    eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str, damage: str
) -> None:
    image, _, objs, _ = eight
    assert run(exe, "tape", "dump", "--image", image).returncode == 0
    DAMAGE[damage](objs)
    write_simh(image, objs)
    res = run(exe, "tape", "dump", "--image", image)
    assert res.returncode == 1, res.stdout
    assert res.stderr.startswith("error: out of CTA's layout: object ")
    assert res.stderr.count("\n") == 1
    assert "PROBLEM" in res.stdout


def test_dump_of_an_end_marker_mid_tape(eight: tuple[Path, Path, Objects, list[dict[str, Any]]], exe: str) -> None:
    image, _, objs, _ = eight
    write_simh(image, objs[: hdr1_of(5)], end_marker=True, after=image.read_bytes()[-5000:])
    res = run(exe, "tape", "dump", "--image", image, "--json")
    assert res.returncode == 1
    doc = json.loads(res.stdout)
    assert doc["problems"] == 1
    assert "end-of-medium marker with 5000 more bytes after it" in doc["items"][-1]["detail"]


def test_dump_of_zeros_is_bounded(tmp_path: Path, exe: str) -> None:
    image = tmp_path / "zeros.img"
    with image.open("wb") as f:
        f.truncate(1 << 30)  # 1 GiB of zeros: 2^28 tape marks
    res = run(exe, "tape", "dump", "--image", image)
    assert res.returncode == 1
    assert len(res.stdout.splitlines()) == 5, res.stdout
    assert "101 tape marks" in res.stdout
    assert "stopped reading at object 101" in res.stdout


def test_python_dump_reports_problems(eight: tuple[Path, Path, Objects, list[dict[str, Any]]]) -> None:
    image, listing, objs, written = eight
    clean = dump(TapeImage(image))
    assert (clean.problems, clean.stopped, len(clean) > 0) == (0, False, True)
    DAMAGE["HDR1 id"](objs)
    write_simh(image, objs)
    damaged = dump(TapeImage(image))
    assert damaged.problems == 1
    (problem,) = [i for i in damaged if i.kind == "problem"]
    assert problem.object == hdr1_of(4)
    assert "HDR1 damaged" in (problem.detail or "")
    # The Python verifier blames the same file alone.
    entries = load_tapefile_ls(listing, VID)
    assert zlib.adler32(b"\0" * 600_000) == int(written[0]["checksum"], 16)
    report = verify_tape(image, VID, catalogue=entries)
    assert [f.status for f in report.files] == ["ok"] * 3 + ["header_error"] + ["ok"] * 4
