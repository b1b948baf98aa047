"""A native verification (hours on a full tape) shows that it is moving: periodic lines in the log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.ctaops.tapeverify.conftest import Instance

VID = "V00001"
PROGRESS = re.compile(r"\[INFO\] \[\w+\] Tape V00001: [\d.]+ [kM]?B of [\d.]+ [kM]?B \(\d+%\)")


def test_native_verify_writes_progress_lines_when_not_on_a_terminal(inst: Instance) -> None:
    env = {**os.environ, "CTAOPS_PROGRESS_INTERVAL": "0"}  # a line at every engine report
    r = subprocess.run(
        [Path(sys.executable).parent / "cta-ops-verify-tape", "-C", inst.config, "--vid", VID, "--native",
         "--image", inst.image(VID), "--first", "12"],
        capture_output=True, text=True, check=False, env=env, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    logged = (inst.log_dir / "cta-ops-verify-tape.log").read_text()
    lines = [line for line in logged.splitlines() if PROGRESS.search(line)]
    assert len(lines) >= 2, logged
    assert "(100%)" in lines[-1]
    assert "12/12 files" in lines[-1]
    assert "\r" not in r.stderr  # no terminal redraws into a pipe


def test_log_json_writes_json_lines(inst: Instance) -> None:
    r = subprocess.run(
        [Path(sys.executable).parent / "cta-ops-verify-tape", "-C", inst.config, "--vid", VID, "--dry-run",
         "--log-json"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    entries = [json.loads(line) for line in (inst.log_dir / "cta-ops-verify-tape.log").read_text().splitlines()]
    assert any(e["message"].startswith("Dry run: would run ") for e in entries), entries
    assert {e["logger"] for e in entries} == {"cta-ops-verify-tape"}
    assert inst.status(VID) is None  # the dry run changed nothing
