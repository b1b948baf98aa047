"""Issue 17, items 12-15: what every tool does with bad operator input.

Counts below zero, undecodable bytes in VIDs and VID files, list files of endless size and
config files nested or sized beyond the bounds: one line on stderr, exit 2 for usage errors
(1 for a config file), never a traceback, and quickly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ctaops.utils.inputs import LIST_FILE_MAX_BYTES

BIN = Path(sys.executable).parent
LIMIT_TEXT = f"larger than 64 MiB ({LIST_FILE_MAX_BYTES} bytes), the limit for list files"


def tool(name: str, *args: str | bytes, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    exe = BIN / name
    assert exe.exists(), f"{name} is not installed (run `make dev`)"
    env = {k: v for k, v in os.environ.items() if k != "CTAOPS_CONFIG"}
    # Neither CTA nor a database is reachable: the refusals must come before either is needed.
    cfg = cwd / "empty.yaml"
    cfg.write_text("global: {}\n")
    return subprocess.run(
        [str(exe), "-C", str(cfg), *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=60,
        cwd=cwd,
        env=env,
    )


def one_line_usage_error(r: subprocess.CompletedProcess[bytes], *words: str) -> str:
    err = r.stderr.decode()
    assert r.returncode == 2, (r.returncode, err)
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    for w in words:
        assert w in err, err
    return err


@pytest.mark.parametrize(
    ("name", "args", "option"),
    [
        ("cta-ops-repack-0-scan", ["-n", "-5"], "--number-of-tapes"),
        ("cta-ops-verification-feeder", ["--maxverify", "-3"], "--maxverify"),
        ("cta-ops-verification-feeder", ["--min_age", "-1"], "--min_age"),
        ("cta-ops-verification-feeder", ["--seed", "-1"], "--seed"),
        ("cta-ops-verify-tape", ["--vid", "V00001", "--first", "-1"], "--first"),
        ("cta-ops-verify-tape", ["--vid", "V00001", "--random", "-2"], "--random"),
        ("cta-ops-verify-tape", ["--vid", "V00001", "--read_time", "-30"], "--read_time"),
        ("cta-ops-tape-alerting", ["--drive-threshold", "0"], "--drive-threshold"),
        ("cta-ops-tape-alerting", ["--cartridge-threshold", "-1"], "--cartridge-threshold"),
    ],
)
def test_negative_counts_are_usage_errors(name: str, args: list[str], option: str, tmp_path: Path) -> None:
    one_line_usage_error(tool(name, *args, cwd=tmp_path), option)


def test_count_that_is_not_a_number_names_the_value(tmp_path: Path) -> None:
    one_line_usage_error(tool("cta-ops-repack-0-scan", "-n", "many", cwd=tmp_path), "--number-of-tapes", "'many'")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("cta-ops-repack-1-prepare", [b"V\xff0001"]),
        ("cta-ops-verify-tape", ["--vid", b"V\xff0001"]),
    ],
)
def test_non_utf8_vid_argument(name: str, args: list[str | bytes], tmp_path: Path) -> None:
    one_line_usage_error(tool(name, *args, cwd=tmp_path), "is not UTF-8 text")


def test_non_utf8_vid_file(tmp_path: Path) -> None:
    f = tmp_path / "vids.txt"
    f.write_bytes(b"V00001\nV\xe90002\n")
    err = one_line_usage_error(tool("cta-ops-repack-1-prepare", "--vidfile", str(f), cwd=tmp_path), "--vidfile")
    assert f"{f}: not UTF-8 text (invalid byte at offset 8)" in err
    r = tool("cta-ops-repack-1-prepare", "--vidfile", "-", cwd=tmp_path, stdin=b"\xff\n")
    one_line_usage_error(r, "<stdin>: not UTF-8 text")


def test_vid_file_named_in_undecodable_bytes_is_reported(tmp_path: Path) -> None:
    r = tool("cta-ops-repack-1-prepare", "--vidfile", os.fsencode(tmp_path) + b"/missing-\xff", cwd=tmp_path)
    one_line_usage_error(r, "missing-\\xff", "No such file or directory")


def test_endless_vid_file_stops_at_the_limit(tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = tool("cta-ops-repack-1-prepare", "--vidfile", "/dev/zero", cwd=tmp_path)
    one_line_usage_error(r, f"/dev/zero: {LIMIT_TEXT}")
    assert time.monotonic() - t0 < 30


def test_sparse_huge_vid_file_is_refused_without_reading(tmp_path: Path) -> None:
    f = tmp_path / "huge"
    with open(f, "wb") as h:
        h.truncate(1 << 40)
    t0 = time.monotonic()
    one_line_usage_error(tool("cta-ops-repack-1-prepare", "-f", str(f), cwd=tmp_path), f"{f}: {LIMIT_TEXT}")
    assert time.monotonic() - t0 < 10


def with_config(via: str, cfg: Path) -> subprocess.CompletedProcess[str]:
    exe, *args = via.split()
    argv = [str(BIN / exe), *args, "-C", str(cfg)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def _deep_one_line(tmp_path: Path) -> Path:
    f = tmp_path / "deep.yaml"
    f.write_text("[" * 200_000)
    return f


def _deep_many_lines(tmp_path: Path) -> Path:
    f = tmp_path / "deep-lines.yaml"
    f.write_text("global: [\n" + "[\n" * 100_000)
    return f


@pytest.mark.parametrize("make", [_deep_one_line, _deep_many_lines])
@pytest.mark.parametrize("via", ["ctaops config check", "cta-ops-repack-0-scan"])
def test_deeply_nested_config_is_refused_at_once(make: Callable[[Path], Path], via: str, tmp_path: Path) -> None:
    cfg = make(tmp_path)
    t0 = time.monotonic()
    r = with_config(via, cfg)
    assert time.monotonic() - t0 < 5  # was 29 s (200 KB on one line), 88 s (100 000 lines)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert f"{cfg}: (document): nested deeper than 64 levels at line" in r.stderr


@pytest.mark.parametrize("via", ["ctaops config check", "cta-ops-repack-0-scan"])
def test_oversized_config_is_refused(via: str, tmp_path: Path) -> None:
    cfg = tmp_path / "big.yaml"
    cfg.write_text("global: {}\n" + "# padding\n" * 210_000)  # 2 MiB of valid YAML
    r = with_config(via, cfg)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1, r.stderr
    assert f"{cfg}: (document): larger than 1 MiB (1048576 bytes), the limit for config files" in r.stderr


def test_config_at_the_depth_limit_is_accepted(tmp_path: Path) -> None:
    cfg = tmp_path / "ok.yaml"
    cfg.write_text("global: {}\nsite: " + "[" * 63 + "]" * 63 + "\n")  # 64 levels with the document
    r = with_config("ctaops config check", cfg)
    assert r.returncode == 0, r.stderr
