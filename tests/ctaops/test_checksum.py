"""ctaops.checksum against zlib/hashlib, over every buffer kind, and its error paths."""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ctaops
from ctaops import _core
from ctaops.checksum import ALGORITHMS, ChecksumBlob, adler32, crc32, crc32c, file_checksum, md5, sha1
from ctaops.errors import (
    CtaOpsError,
    CtaOpsFileNotFoundError,
    CtaOpsIsADirectoryError,
    FileChangedError,
    InvalidArgumentError,
    ParseError,
)
from tests.privileges import without_dac_override

# Adler-32's modulo reduction happens every 5552 bytes in zlib; the edges are where bugs live.
EDGE_LENGTHS = [0, 1, 5551, 5552, 5553, 65535, 65536, 65537, 1 << 20]


def _data(n: int, seed: int = 7) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def _crc32c_reference(data: bytes, value: int = 0) -> int:
    """Bitwise CRC-32C straight from its definition (reflected polynomial 0x82F63B78)."""
    crc = value ^ 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


@pytest.mark.parametrize("n", EDGE_LENGTHS)
def test_edge_lengths_equal_zlib(n: int) -> None:
    data = _data(n)
    assert adler32(data) == zlib.adler32(data)
    assert crc32(data) == zlib.crc32(data)
    # 0xFF bytes maximise the sums Adler-32 must reduce.
    ones = b"\xff" * n
    assert adler32(ones) == zlib.adler32(ones)


def test_crc32c_known_and_reference() -> None:
    assert crc32c(b"123456789") == 0xE3069283
    data = _data(3000)
    assert crc32c(data) == _crc32c_reference(data)
    assert crc32c(data[1000:], crc32c(data[:1000])) == crc32c(data)


@given(st.binary(max_size=20000), st.integers(min_value=0, max_value=20000), st.integers(0, 0xFFFFFFFF))
def test_split_anywhere_and_chain(data: bytes, cut: int, seed_value: int) -> None:
    cut = min(cut, len(data))
    head, tail = data[:cut], data[cut:]
    assert adler32(tail, adler32(head)) == adler32(data) == zlib.adler32(data)
    assert crc32(tail, crc32(head)) == crc32(data) == zlib.crc32(data)
    assert crc32c(tail, crc32c(head)) == crc32c(data)
    # Arbitrary running values chain exactly as zlib's do.
    assert adler32(data, seed_value) == zlib.adler32(data, seed_value)
    assert crc32(data, seed_value) == zlib.crc32(data, seed_value)


def test_every_buffer_kind_without_copy(tmp_path: Path) -> None:
    raw = _data(300_000)
    expected = zlib.adler32(raw)
    arr = np.frombuffer(raw, dtype=np.uint8)
    path = tmp_path / "blob"
    path.write_bytes(raw)
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for obj in (raw, bytearray(raw), memoryview(raw), mm, arr, arr.view(np.float64), arr.reshape(600, 500)):
            assert adler32(obj) == expected, type(obj)
            assert crc32(obj) == zlib.crc32(raw), type(obj)
    # A slice of a memoryview is contiguous and must checksum only the slice.
    assert adler32(memoryview(raw)[10:20]) == zlib.adler32(raw[10:20])


def test_non_buffers_and_strided_views_are_type_errors() -> None:
    raw = _data(1000)
    with pytest.raises(TypeError, match="str"):
        adler32("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        adler32(memoryview(raw)[::2])
    with pytest.raises(TypeError):
        crc32(np.frombuffer(raw, dtype=np.uint8)[::3])
    with pytest.raises(OverflowError):
        adler32(raw, -1)


def test_md5_sha1_match_hashlib() -> None:
    for n in (0, 1, 64, 1000, 1 << 20):
        data = _data(n)
        assert md5(data) == hashlib.md5(data).hexdigest()  # noqa: S324 (interop check, not security)
        assert sha1(bytearray(data)) == hashlib.sha1(data).hexdigest()  # noqa: S324


def test_file_checksum_all_algorithms(tmp_path: Path) -> None:
    raw = _data(1_300_000)
    path = tmp_path / "f"
    path.write_bytes(raw)
    assert file_checksum(path) == f"{zlib.adler32(raw):08x}"
    assert file_checksum(str(path), "ADLER32") == f"{zlib.adler32(raw):08x}"
    assert file_checksum(path, "crc32") == f"{zlib.crc32(raw):08x}"
    assert file_checksum(path, "crc32c") == f"{crc32c(raw):08x}"
    assert file_checksum(path, "md5") == hashlib.md5(raw).hexdigest()  # noqa: S324
    assert file_checksum(path, "sha1") == hashlib.sha1(raw).hexdigest()  # noqa: S324
    assert set(ALGORITHMS) == {"adler32", "crc32", "crc32c", "md5", "sha1"}


def test_small_adler_value_is_zero_padded(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert file_checksum(path) == "00000001"


def test_file_errors_have_codes(tmp_path: Path) -> None:
    with pytest.raises(CtaOpsFileNotFoundError) as missing:
        file_checksum(tmp_path / "nope")
    assert missing.value.code == "FILE_NOT_FOUND"
    assert isinstance(missing.value, FileNotFoundError)
    assert "nope" in str(missing.value)
    with pytest.raises(CtaOpsIsADirectoryError) as directory:
        file_checksum(tmp_path)
    assert directory.value.code == "IS_A_DIRECTORY"
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(InvalidArgumentError) as bad_algo:
        file_checksum(tmp_path / "f", "adler33")
    assert bad_algo.value.code == "INVALID_ARGUMENT"
    assert isinstance(bad_algo.value, CtaOpsError)


def test_permission_denied(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"x")
    secret.chmod(0)
    code = (
        "import sys; from ctaops.checksum import file_checksum\n"
        "from ctaops.errors import CtaOpsPermissionError\n"
        "try:\n    file_checksum(sys.argv[1])\n"
        "except CtaOpsPermissionError as e:\n    print(e.code, e)\n"
    )
    out = subprocess.run(
        without_dac_override([sys.executable, "-c", code, str(secret)]), capture_output=True, text=True, check=False
    )
    assert out.stdout.startswith("PERMISSION_DENIED"), out.stderr
    assert str(secret) in out.stdout


def test_file_growing_while_read_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "growing"
    with path.open("wb") as f:
        f.truncate(512 << 20)  # sparse: reads at memory speed, long enough for the writer to act
    stop = threading.Event()
    started = threading.Event()

    def append() -> None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            while not stop.is_set():
                os.write(fd, b"more data")
                started.set()
        finally:
            os.close(fd)

    writer = threading.Thread(target=append)
    writer.start()
    try:
        started.wait(5)
        with pytest.raises(FileChangedError) as changed:
            file_checksum(path)
        assert changed.value.code == "FILE_CHANGED"
        assert "changed while being read" in str(changed.value)
    finally:
        stop.set()
        writer.join()


def test_rust_log_events_reach_python_logging(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "logged"
    path.write_bytes(b"abc")
    with caplog.at_level(logging.DEBUG):
        _core.reset_log_cache()
        file_checksum(path)
    records = [r for r in caplog.records if r.name.startswith("ctaops_core")]
    assert records, [r.name for r in caplog.records]
    assert "checksummed file" in records[-1].getMessage()
    assert str(path) in records[-1].getMessage()


def test_blob_cta_reference_example() -> None:
    blob = ChecksumBlob.from_adler32(0x0A0B0C0D)
    assert blob.to_protobuf() == bytes.fromhex("0a08080112040d0c0b0a")
    assert blob.hex() == "0a0b0c0d"
    assert blob.int_value() == 168496141
    assert blob.stored_bytes() == bytes.fromhex("0d0c0b0a")
    assert blob.to_json() == '[{"type":"ADLER32","value":"0a0b0c0d"}]'
    assert ChecksumBlob.from_json(blob.to_json()) == blob
    assert ChecksumBlob.from_protobuf(blob.to_protobuf()) == blob
    assert ChecksumBlob.from_protobuf(bytearray(blob.to_protobuf())) == blob
    assert ChecksumBlob([("ADLER32", "0x0a0b0c0d")]) == blob
    assert ChecksumBlob.from_int("ADLER32", 168496141) == blob
    assert ChecksumBlob.from_stored("ADLER32", b"\x0d\x0c\x0b\x0a") == blob
    assert repr(blob) == "ChecksumBlob([('ADLER32', '0a0b0c0d')])"
    assert len(blob) == 1
    assert blob.hex("MD5") is None


def test_blob_multiple_types_and_padding() -> None:
    digest = hashlib.md5(b"x").hexdigest()  # noqa: S324
    blob = ChecksumBlob([("ADLER32", "ff"), ("MD5", digest)])
    assert blob.entries == [("ADLER32", "000000ff"), ("MD5", digest)]
    assert ChecksumBlob.from_protobuf(blob.to_protobuf()) == blob
    assert ChecksumBlob().to_json() == "[]"


@given(st.integers(0, 0xFFFFFFFF), st.sampled_from(["ADLER32", "CRC32", "CRC32C"]))
def test_blob_round_trips(value: int, kind: str) -> None:
    blob = ChecksumBlob.from_int(kind, value)
    assert blob.int_value(kind) == value
    assert blob.hex(kind) == f"{value:08x}"
    assert blob.stored_bytes(kind) == value.to_bytes(4, "little")
    assert ChecksumBlob.from_protobuf(blob.to_protobuf()) == blob
    assert ChecksumBlob.from_json(blob.to_json()) == blob
    assert ChecksumBlob([(kind, blob.hex(kind) or "")]) == blob


def test_blob_bad_input() -> None:
    with pytest.raises(InvalidArgumentError, match="expected=4 actual=5"):
        ChecksumBlob([("ADLER32", "0102030405")])
    with pytest.raises(InvalidArgumentError):
        ChecksumBlob([("ADLER32", "zz")])
    with pytest.raises(InvalidArgumentError, match="unknown checksum algorithm"):
        ChecksumBlob([("CRC64", "00")])
    with pytest.raises(ParseError) as bad_pb:
        ChecksumBlob.from_protobuf(b"\xff\xff\xff")
    assert bad_pb.value.code == "PARSE_ERROR"
    with pytest.raises(ParseError):
        ChecksumBlob.from_json('{"type": "ADLER32"}')
    with pytest.raises(InvalidArgumentError):
        ChecksumBlob.from_int("MD5", 1)


def test_version_is_exposed() -> None:
    assert ctaops.__version__ == _core.__version__
    assert ctaops.__version__.count(".") == 2
    assert _core.__version__ in ctaops.build_info


def test_blob_is_hashable_by_value() -> None:
    a = ChecksumBlob.from_adler32(5)
    assert {a: 1}[ChecksumBlob.from_int("ADLER32", 5)] == 1
    assert a != ChecksumBlob.from_adler32(6)
