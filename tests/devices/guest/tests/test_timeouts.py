"""A device that stops answering mid-command: tgtd is stopped with SIGSTOP.

Commands through SG_IO carry ctaops' own timeouts; reads and writes through st end when the kernel
fails the I/O, which on iSCSI is the session's replacement timeout (set to 15 s in this guest by
vtl.py; 120 s by default). Either way the command ends with one error line and exit 1, well within
RECOVERY_LIMIT, and the library is usable again once tgtd continues. Runs last (file name order):
the session recovery must not disturb the other suites.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CTAOPS, Lib, ctaops, load, run

RECOVERY_LIMIT = 90.0


def tgtd_pids() -> list[int]:
    return [int(p) for p in run("pidof", "tgtd", check=True).stdout.split()]


def signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        os.kill(pid, sig)


def wait_until_answering(changer: str, limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if run("sg_turs", changer, timeout=60).returncode == 0:
            return
        time.sleep(1)
    raise AssertionError(f"{changer} did not come back after tgtd continued")


@pytest.fixture
def stopped_tgtd(ts4500: Lib) -> Iterator[list[int]]:
    pids = tgtd_pids()
    try:
        yield pids
    finally:
        signal_all(pids, signal.SIGCONT)
        wait_until_answering(ts4500.changer)
        for d in ts4500.drives:
            run("sg_turs", d.sg, timeout=60)  # consume the unit attention of the reconnect


def test_changer_query_ends_with_a_timeout_error(ts4500: Lib, stopped_tgtd: list[int]) -> None:
    signal_all(stopped_tgtd, signal.SIGSTOP)
    started = time.monotonic()
    res = ctaops("smc", "--device", ts4500.changer, "-q", "S", timeout=RECOVERY_LIMIT * 3)
    took = time.monotonic() - started
    assert res.returncode == 3, res  # cta-smc's "retry later": the library may come back
    assert took < RECOVERY_LIMIT, took
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "transport" in res.stderr


def test_tape_read_mid_file_ends_with_an_error(ts4500: Lib, stopped_tgtd: list[int], tmp_path: Path) -> None:
    dev = load(ts4500, ts4500.slot_cartridges[1], drive=2)
    big = tmp_path / "big"
    big.write_bytes(os.urandom(60 << 20))
    assert ctaops("tape", "label", "--device", dev.nst, "--vid", "CTA002", "--force").returncode == 0
    res = ctaops("tape", "write", "--device", dev.nst, "--vid", "CTA002", str(big), timeout=300)
    assert res.returncode == 0, res.stderr
    proc = subprocess.Popen(
        [CTAOPS, "tape", "dump", "--device", dev.nst], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(0.1)
    signal_all(stopped_tgtd, signal.SIGSTOP)
    started = time.monotonic()
    try:
        out, err = proc.communicate(timeout=RECOVERY_LIMIT * 3)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    took = time.monotonic() - started
    if proc.returncode == 0:
        pytest.fail(f"dump finished before tgtd stopped (took {took:.1f} s); the tape is too short")
    assert proc.returncode == 1, (out, err)
    assert took < RECOVERY_LIMIT, took
    assert len(err.strip().splitlines()) == 1, err
