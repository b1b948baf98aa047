"""ATRESYS steps leave a trail a site can keep: a log file per step, progress, end-of-step counts;
``--dry-run`` reports what a real run does, marked ``would``, and changes nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.ctaops.atresys.conftest import Env, _make_env, script

UPSTREAM_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(DEBUG|INFO|WARNING|ERROR)\] \[\w+\] \S.*$")
STEPS = ("0-scan", "1-prepare", "2-start", "3-end", "4-quarantine", "5-reclaim", "6-finish", "monitor")


@pytest.fixture
def env(request: pytest.FixtureRequest, tmp_path: Path, sim_template: Path, sim_exe: str) -> Env:
    return _make_env("sqlite", request, tmp_path, sim_template, sim_exe)


def log_of(env: Env, step: str) -> list[str]:
    path = Path(env.tool["logging"]["log_dir"]) / f"cta-ops-repack-{step}.log"
    assert path.is_file(), f"{path} not written"
    return path.read_text().splitlines()


def catalogue(env: Env) -> object:
    return env.admin("tape", "ls", "--all"), env.admin("repack", "ls")


def test_every_step_logs_to_the_configured_dir_with_counts(env: Env) -> None:
    for step in STEPS:
        env.step(step)
    for step in STEPS:
        lines = log_of(env, step)
        assert all(UPSTREAM_LINE.match(line) for line in lines), lines
        assert any("started: cta-ops-repack-" in line for line in lines)
    assert "] scan: 3 tape(s) scanned, 3 eligible, 3 selected, 0 skipped" in log_of(env, "0-scan")[-1]
    # once they are being repacked, the scan says why it leaves them alone
    env.step("0-scan")
    assert re.search(
        r"\] scan: 3 tape\(s\) scanned, 0 eligible, 0 selected, 3 skipped \(.+: \d+\)$", log_of(env, "0-scan")[-1]
    )
    assert log_of(env, "1-prepare")[-1].endswith("] prepare: 3 tape(s): 3 entered")
    assert log_of(env, "2-start")[-1].endswith("] start: 3 tape(s): 3 started")
    assert re.search(r"\] quarantine: 0 tape\(s\)$", log_of(env, "4-quarantine")[-1])


def test_log_json(env: Env) -> None:
    env.step("1-prepare", "--log-json")
    entries = [json.loads(line) for line in log_of(env, "1-prepare")]
    assert entries[-1]["message"] == "prepare: 3 tape(s): 3 entered"
    assert entries[-1]["logger"] == "cta-ops-repack-1-prepare"


def test_progress_lines_when_not_on_a_terminal(env: Env) -> None:
    env.step("1-prepare", env={"CTAOPS_PROGRESS_INTERVAL": "0"})
    text = "\n".join(log_of(env, "1-prepare"))
    assert "cta-ops-repack-1-prepare: tapes: 1/3 (33%)" in text
    assert "cta-ops-repack-1-prepare: tapes: 3/3 (100%)" in text
    env.step("2-start", env={"CTAOPS_PROGRESS_INTERVAL": "0"})
    assert "cta-ops-repack-2-start: tapes: 3/3 (100%)" in "\n".join(log_of(env, "2-start"))


def test_prepare_dry_run_prints_what_a_real_run_prints(env: Env) -> None:
    before = catalogue(env)
    dry = env.step("1-prepare", "--dry-run")
    dry_json = json.loads(env.step("1-prepare", "--dry-run", "-j").stdout)
    assert env.rows() == {}
    assert catalogue(env) == before
    lines = dry.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("would: ") and " entered " in line for line in lines)
    real = env.step("1-prepare")
    assert [line.removeprefix("would: ") for line in lines] == real.stdout.splitlines()
    assert set(env.rows()) == {"V00001", "V00002", "V00003"}
    # JSON: the same records as the text, each change marked
    assert all(r.pop("would") is True for r in dry_json)
    as_text = [f"{r.pop('tape')} {r.pop('action')} " + " ".join(f"{k}={v}" for k, v in r.items()) for r in dry_json]
    assert as_text == real.stdout.splitlines()


def test_start_dry_run_says_would_without_verbose_and_changes_nothing(env: Env) -> None:
    env.step("1-prepare")
    before = catalogue(env)
    rows_before = env.rows()
    r = env.step("2-start", "--dry-run")
    assert "cta-ops-repack-2-start: would run: repack add --vid V00001" in r.stderr
    assert all(line.startswith("would: ") for line in r.stdout.splitlines()), r.stdout
    assert catalogue(env) == before
    assert env.rows() == rows_before


@pytest.mark.parametrize("step", ["0-scan", "monitor"])
def test_closed_pipe_on_real_output(env: Env, step: str) -> None:
    env.step("1-prepare")
    read, write = os.pipe()
    os.close(read)
    try:
        r = subprocess.run(
            [script(f"cta-ops-repack-{step}"), "-C", str(env.config)],
            stdout=write, stderr=subprocess.PIPE, text=True, check=False, timeout=300,
        )  # fmt: skip
    finally:
        os.close(write)
    assert r.returncode == 0, r.stderr
    # (the instance has no keytab: CtaAdmin's one warning line about it is expected)
    assert not {"Broken pipe", "Errno", "Traceback", "error"} & set(re.findall(r"[A-Z]?[a-z]+(?: pipe)?", r.stderr))
