"""`ctaops checksum` through the console script and the native binary."""

from __future__ import annotations

import os
import subprocess
import zlib
from pathlib import Path

import pytest

import ctaops
from ctaops._versions import version_line
from tests.privileges import without_dac_override


def run(exe: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([exe, *args], input=stdin, capture_output=True, check=False, timeout=120)


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = []
    for i, n in enumerate((0, 1, 5553, 3 << 20)):
        p = tmp_path / f"file{i}.dat"
        p.write_bytes(os.urandom(n))
        paths.append(p)
    return paths


def test_adler32_lines_like_xrdadler32(exe: str, files: list[Path]) -> None:
    res = run(exe, "checksum", *map(str, files))
    assert res.returncode == 0, res.stderr
    expected = "".join(f"{zlib.adler32(p.read_bytes()):08x} {p}\n" for p in files)
    assert res.stdout.decode() == expected
    assert res.stderr == b""


@pytest.mark.parametrize("algo", ["crc32", "md5", "sha1", "crc32c", "ADLER32"])
def test_other_algorithms(exe: str, files: list[Path], algo: str) -> None:
    res = run(exe, "checksum", "--algo", algo, str(files[3]))
    assert res.returncode == 0, res.stderr
    value, path = res.stdout.decode().split()
    assert path == str(files[3])
    assert value == ctaops.checksum.file_checksum(files[3], algo)


def test_stdin(exe: str) -> None:
    data = os.urandom(100_000)
    res = run(exe, "checksum", "-", stdin=data)
    assert res.stdout.decode() == f"{zlib.adler32(data):08x} -\n"


def test_non_utf8_name_is_printed_as_the_os_gave_it(exe: str, tmp_path: Path) -> None:
    # Issue 17 item 13: the name was printed lossily (U+FFFD), so the line could not be pasted back.
    name = os.fsencode(tmp_path) + b"/tape-\xff\xfe.dat"
    data = os.urandom(1000)
    with open(name, "wb") as f:
        f.write(data)
    res = subprocess.run([exe, "checksum", name], capture_output=True, check=False, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"%08x " % zlib.adler32(data) + name + b"\n"


def test_missing_and_directory_do_not_stop_other_paths(exe: str, files: list[Path], tmp_path: Path) -> None:
    res = run(exe, "checksum", str(tmp_path / "missing"), str(files[1]), str(tmp_path))
    assert res.returncode == 1
    assert res.stdout.decode() == f"{zlib.adler32(files[1].read_bytes()):08x} {files[1]}\n"
    errors = res.stderr.decode().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("error: ")
    assert "missing" in errors[0]
    assert "No such file" in errors[0]
    assert str(tmp_path) in errors[1]
    assert "directory" in errors[1]


def test_permission_denied_is_one_line(exe: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"x")
    secret.chmod(0)
    res = subprocess.run(without_dac_override([exe, "checksum", str(secret)]), capture_output=True, check=False)
    assert res.returncode == 1
    assert res.stderr.decode().count("\n") == 1
    assert "Permission denied" in res.stderr.decode()
    assert str(secret) in res.stderr.decode()


@pytest.mark.parametrize(
    "args",
    [["checksum", "--algo", "adler64", "x"], ["checksum"], ["checksum", "--algo", "none", "x"], ["nonsense"]],
)
def test_usage_errors_exit_2(exe: str, args: list[str]) -> None:
    res = run(exe, *args)
    assert res.returncode == 2
    assert res.stdout == b""
    assert b"error" in res.stderr


def test_version(exe: str) -> None:
    res = run(exe, "--version")
    assert res.returncode == 0
    assert res.stdout.decode().strip() == f"ctaops {version_line(ctaops.__version__)}"


def test_broken_pipe_is_quiet(exe: str, files: list[Path]) -> None:
    # `ctaops checksum … | head -1`: the reader leaving early is not an error worth a message.
    producer = subprocess.Popen(
        [exe, "checksum", *(str(p) for p in files * 200)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None
    assert producer.stderr is not None
    head = subprocess.run(["head", "-1"], stdin=producer.stdout, capture_output=True, check=False)
    producer.stdout.close()
    stderr = producer.stderr.read()
    producer.stderr.close()
    producer.wait(timeout=60)
    assert head.stdout.count(b"\n") == 1
    assert b"Traceback" not in stderr
    assert b"panicked" not in stderr
