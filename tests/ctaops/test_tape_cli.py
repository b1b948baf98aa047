"""`ctaops tape …` through the console script and the native binary."""

from __future__ import annotations

import json
import os
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.ctaops import tape_reader_from_spec as spec

VID = "V01007"


def run(exe: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, check=False, timeout=300)


def tapefile_ls(written: list[dict[str, Any]]) -> str:
    """What `cta-admin --json tapefile ls --vid VID` would print for the written files."""
    items = [
        {
            "af": {
                "archiveId": str(f["archiveId"]),
                "storageClass": "ctaops_sc",
                "creationTime": "1741170001",
                "checksum": [{"type": "ADLER32", "value": f["checksum"]}],
                "size": str(f["size"]),
            },
            "df": {"diskId": "1", "diskInstance": "eos", "ownerId": {"uid": 1, "gid": 1}, "path": ""},
            "tf": {"vid": VID, "copyNb": 1, "blockId": str(f["blockId"]), "fSeq": str(f["fseq"])},
            "instanceName": "eos",
        }
        for f in written
        if not f["placeholder"]
    ]
    return json.dumps(items)


@pytest.fixture
def tape(tmp_path: Path, ctaops_native: str) -> tuple[Path, Path, list[bytes]]:
    """A labelled image with five files written by the CLI, and its catalogue listing."""
    image = tmp_path / "V01007.img"
    assert run(ctaops_native, "tape", "label", "--image", image, "--vid", VID).returncode == 0
    payloads = [os.urandom(n) for n in (0, 1, 262143, 262144, 262145)]
    sources = []
    for i, data in enumerate(payloads):
        p = tmp_path / f"f{i}"
        p.write_bytes(data)
        sources.append(p)
    res = run(ctaops_native, "tape", "write", "--image", image, "--vid", VID, "--json", *sources)
    assert res.returncode == 0, res.stderr
    written = json.loads(res.stdout)["files"]
    catalogue = tmp_path / "tapefile-ls.json"
    catalogue.write_text(tapefile_ls(written))
    return image, catalogue, payloads


def test_write_output_and_image_follow_the_spec(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, _, payloads = tape
    files = spec.read_tape(image, VID)
    assert [f.data for f in files] == payloads
    extra = image.parent / "extra"
    extra.write_bytes(b"appended")
    res = run(exe, "tape", "write", "--image", image, "--vid", VID, "--archive-id", "4294967296", extra)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["fseq", "block", "id", "archive", "id", "size", "adler32", "file"]
    assert lines[1].split()[:5] == [
        "6",
        str(files[-1].block_id + 9 + 2),
        "4294967296",
        "8",
        f"{zlib.adler32(b'appended'):08x}",
    ]
    assert spec.read_tape(image, VID)[-1].data == b"appended"


def test_verify_clean_tape_json(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, catalogue, payloads = tape
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--json")
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    doc = json.loads(res.stdout)
    assert doc["vid"] == VID
    assert [(f["fseq"], f["status"]) for f in doc["files"]] == [
        (1, "placeholder"),
        (2, "ok"),
        (3, "ok"),
        (4, "ok"),
        (5, "ok"),
    ]
    f2 = doc["files"][1]
    assert set(f2) >= {"fseq", "archiveId", "blockId", "size", "checksum", "status", "detail"}
    assert f2["checksum"] == f"{zlib.adler32(payloads[1]):08x}"
    assert doc["summary"]["counts"]["ok"] == 4
    assert doc["summary"]["bytes"] == sum(map(len, payloads)) + 81


def test_verify_table_and_selection(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, catalogue, _ = tape
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--fseq", "2,4-")
    assert res.returncode == 0, res.stderr
    rows = [line.split()[0] for line in res.stdout.splitlines()[1:-1]]
    assert rows == ["2", "4", "5"]
    assert "ok 3" in res.stdout.splitlines()[-1]
    res = run(
        exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--first", "1", "--last", "1"
    )
    assert [line.split()[0] for line in res.stdout.splitlines()[1:-1]] == ["2", "5"]
    res = run(
        exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--random", "2", "--seed", "4"
    )
    assert res.returncode == 0
    assert len(res.stdout.splitlines()) == 4


def test_verify_reports_a_flipped_byte_and_exits_1(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, catalogue, _ = tape
    raw = bytearray(image.read_bytes())
    needle = (262143).to_bytes(4, "little")
    at = raw.index(needle) + 4 + 1000
    raw[at] ^= 0xFF
    image.write_bytes(bytes(raw))
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue)
    assert res.returncode == 1
    row = next(line for line in res.stdout.splitlines() if line.startswith("3 "))
    assert "checksum_mismatch" in row
    assert "ok 3" in res.stdout.splitlines()[-1]


def test_verify_usage_and_device_errors(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, catalogue, _ = tape
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--first", "2")
    assert res.returncode == 2
    assert (
        res.stderr.strip()
        == "error: --first, --last, --random, --fseq, --data-size and --read-time need --catalogue or --cta"
    )
    res = run(exe, "tape", "verify", "--image", image, "--device", "/dev/nst0", "--vid", VID)
    assert res.returncode == 2
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--fseq", "3-1")
    assert res.returncode == 2
    res = run(exe, "tape", "verify", "--device", "/dev/null", "--vid", VID)
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1
    assert "not a tape device" in res.stderr
    res = run(exe, "tape", "verify", "--image", image.parent / "nope.img", "--vid", VID)
    assert res.returncode == 1
    assert "No such file" in res.stderr
    bad = image.parent / "bad.json"
    bad.write_text("{not json")
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", bad)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["verify", "dump"])
def test_an_image_that_is_not_a_regular_file_is_refused(tmp_path: Path, exe: str, command: str) -> None:
    """A FIFO used to hang the reader and /dev/null read as a blank tape: both are refused in one line."""
    fifo = tmp_path / "fifo.tap"
    os.mkfifo(fifo)
    vid = ["--vid", VID] if command == "verify" else []
    for path, kind in ((fifo, "a FIFO"), (Path("/dev/null"), "a character device")):
        res = run(exe, "tape", command, "--image", path, *vid)
        assert res.returncode == 1, res.stderr
        assert res.stderr.count("\n") == 1, res.stderr
        assert f"{path}: is {kind}, not a tape image" in res.stderr
        assert "blank" not in res.stdout + res.stderr


def test_label_refuses_data_and_honours_dry_run(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, _, _ = tape
    before = image.read_bytes()
    res = run(exe, "tape", "label", "--image", image, "--vid", VID)
    assert res.returncode == 1
    assert "holds data" in res.stderr
    assert image.read_bytes() == before
    res = run(exe, "tape", "label", "--image", image, "--vid", VID, "--force", "--dry-run")
    assert res.returncode == 0
    assert res.stdout.startswith("would label")
    assert image.read_bytes() == before
    fresh = image.parent / "fresh.img"
    res = run(exe, "tape", "label", "--image", fresh, "--vid", "V00001", "--dry-run")
    assert res.returncode == 0
    assert not fresh.exists()
    res = run(exe, "tape", "label", "--image", image, "--vid", "V00002", "--force")
    assert res.returncode == 0, res.stderr
    assert spec.read_tape(image, "V00002") == []
    res = run(exe, "tape", "label", "--image", image, "--vid", "V00003")
    assert res.returncode == 1
    assert "labelled 'V00002'" in res.stderr
    res = run(exe, "tape", "label", "--image", image, "--vid", "bad")
    assert res.returncode == 2


def test_write_refusals_leave_the_tape_alone(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, _, _ = tape
    before = image.read_bytes()
    src = image.parent / "f1"
    res = run(exe, "tape", "write", "--image", image, "--vid", "X00001", src)
    assert res.returncode == 1
    assert "VOL1 VSN 'V01007' does not match VID 'X00001'" in res.stderr
    res = run(exe, "tape", "write", "--image", image, "--vid", VID, src, image.parent / "missing")
    assert res.returncode == 1
    assert "missing" in res.stderr
    assert image.read_bytes() == before
    blank = image.parent / "blank.img"
    blank.write_bytes(b"")
    res = run(exe, "tape", "write", "--image", blank, "--vid", VID, src)
    assert res.returncode == 1
    assert "VOL1" in res.stderr


def test_dump(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, _, payloads = tape
    res = run(exe, "tape", "dump", "--image", image)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[1].split()[:3] == ["0", "VOL1", "VSN=V01007"]
    data_rows = [line.split() for line in lines if " DATA " in line]
    assert [r[2] for r in data_rows] == ["1", "1", "1", "1", "2"]
    assert data_rows[4][7].rstrip(",") == f"{zlib.adler32(payloads[4]):08x}"
    res = run(exe, "tape", "dump", "--image", image, "--json")
    doc = json.loads(res.stdout)
    assert doc["objects"] == 1 + 5 * 9 + 6
    raw = bytearray(image.read_bytes())
    raw[4 + 79] = ord("9")  # VOL1 label standard
    image.write_bytes(bytes(raw))
    res = run(exe, "tape", "dump", "--image", image)
    assert res.returncode == 1
    assert "INVALID: VOL1 label standard" in res.stdout


def test_verify_data_size_and_read_time(tape: tuple[Path, Path, list[bytes]], exe: str) -> None:
    image, catalogue, _ = tape
    base = ["tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--json", "--seed", "1"]
    res = run(exe, *base, "--data-size", "300KB")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["seed"] == 1
    assert sum(f["size"] for f in doc["files"]) >= 300_000
    assert len(doc["files"]) < 4
    res = run(exe, *base, "--read-time", "1")  # 1 s at 300 MB/s: more than the tape holds, so every file
    assert [f["fseq"] for f in json.loads(res.stdout)["files"]] == [2, 3, 4, 5]
    res = run(exe, *base, "--data-size", "3 parsecs")
    assert res.returncode == 2
