"""Where the ``cta-ops-*`` tools leave their trail: ``<log_dir>/<tool>.log`` (upstream lines or JSON),
output files under the configured roots, nothing anywhere else."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ctaops.drivetools import SimLibrary, one_error_line, sim_library, tool

UPSTREAM_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] \[\w+\] \S.*$")
DRIVE_TOOLS = ("cta-ops-drive-environmentals", "cta-ops-tape-alerting", "cta-ops-drive-config-generate")


@pytest.fixture
def sim(ctaops_native: str, tmp_path: Path) -> SimLibrary:
    return sim_library(ctaops_native, tmp_path)


def log_lines(path: Path) -> list[str]:
    assert path.is_file(), f"{path} was not written"
    lines = path.read_text().splitlines()
    assert lines, f"{path} is empty"
    return lines


@pytest.mark.parametrize("prog", DRIVE_TOOLS)
def test_drive_tools_log_to_the_configured_dir(sim: SimLibrary, prog: str) -> None:
    tool(prog, "-C", sim.config, "--prometheus" if prog != DRIVE_TOOLS[2] else "-o", sim.dir / "metrics" / "x")
    lines = log_lines(sim.dir / "log" / f"{prog}.log")
    bad = [line for line in lines if not UPSTREAM_LINE.match(line)]
    assert not bad, bad


@pytest.mark.parametrize("prog", DRIVE_TOOLS)
def test_log_json_writes_json_lines(sim: SimLibrary, prog: str) -> None:
    tool(prog, "-C", sim.config, "--log-json", "--prometheus" if prog != DRIVE_TOOLS[2] else "-o", sim.dir / "m")
    for line in log_lines(sim.dir / "log" / f"{prog}.log"):
        entry = json.loads(line)
        assert {"time", "level", "function", "message"} <= set(entry)


def test_a_tools_own_log_dir_overrides_the_global_one(sim: SimLibrary, tmp_path: Path) -> None:
    own = sim.dir / "log" / "env"
    cfg = sim.derived("own.yaml", {"tools": {"cta-ops-drive-environmentals": {"logging": {"log_dir": str(own)}}}})
    r = tool("cta-ops-drive-environmentals", "-C", cfg)
    assert r.returncode == 0, r.stderr
    assert UPSTREAM_LINE.match(log_lines(own / "cta-ops-drive-environmentals.log")[-1])
    assert not (sim.dir / "log" / "cta-ops-drive-environmentals.log").exists()


def test_failures_are_in_the_log_file_too(sim: SimLibrary, tmp_path: Path) -> None:
    r = tool("cta-ops-tape-alerting", "-C", sim.config, "--log", tmp_path / "missing.log")
    assert r.returncode == 1
    line = one_error_line(r.stderr, "cta-ops-tape-alerting")
    message = line.split(": error: ", 1)[1]
    logged = log_lines(sim.dir / "log" / "cta-ops-tape-alerting.log")
    assert logged[-1].endswith(f"[ERROR] [main] {message}"), logged[-1]


def test_drive_env_output_defaults_under_log_dir(sim: SimLibrary) -> None:
    """The old default was a fixed /var/log/cta-ops/drive-environmentals.json, whatever log_dir said."""
    doc_changes = {"tools": {"cta-ops-drive-environmentals": {"output_file": None}}}
    cfg = sim.derived("no-output.yaml", doc_changes)
    r = tool("cta-ops-drive-environmentals", "-C", cfg)
    assert r.returncode == 0, r.stderr
    records = (sim.dir / "log" / "drive-environmentals.json").read_text().splitlines()
    assert len(records) == 2


def test_missing_directories_outside_the_roots_are_refused(sim: SimLibrary, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "deeper" / "env.json"
    r = tool("cta-ops-drive-environmentals", "-C", sim.config, "--output-file", outside)
    assert r.returncode == 1
    assert "outside the configured log_dir/state_dir" in one_error_line(r.stderr, "cta-ops-drive-environmentals")
    assert not (tmp_path / "elsewhere").exists()
    inside = sim.dir / "log" / "new" / "env.json"
    r = tool("cta-ops-drive-environmentals", "-C", sim.config, "--output-file", inside)
    assert r.returncode == 0, r.stderr
    assert len(inside.read_text().splitlines()) == 2


def _tree(root: Path) -> dict[str, float]:
    if not root.exists():
        return {}
    return {str(p): p.stat().st_mtime for p in root.rglob("*")}


def test_tools_on_a_sim_config_write_nothing_outside_the_instance(sim: SimLibrary, tmp_path: Path) -> None:
    """Every Python tool run with ``-C DIR/cta-ops-config.yaml``: HOME, the working directory and
    /var/log stay as they were; the logs are under DIR."""
    home = tmp_path / "home"
    cwd = tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    var_log = Path("/var/log/cta-ops")
    before = _tree(var_log)
    env = {**os.environ, "HOME": str(home), "CTAOPS_CONFIG": "/nonexistent/cta-ops-config.yaml"}
    cfg = str(sim.config)
    bin_ = Path(sys.executable).parent
    manager = subprocess.run(
        [bin_ / "cta-ops-repack-manager", "-C", cfg, "db", "upgrade"],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert manager.returncode == 0, manager.stderr
    runs = [
        ["cta-ops-drive-environmentals"],
        ["cta-ops-tape-alerting", "--state", str(sim.dir / "log" / "alerts-state.json")],
        ["cta-ops-drive-config-generate"],
        ["cta-ops-verification-feeder", "--maxverify", "1", "--dry-run"],
        ["cta-ops-verify-tape", "--vid", "V00001", "--dry-run"],
        *([f"cta-ops-repack-{s}"] for s in ("0-scan", "1-prepare", "2-start", "3-end", "4-quarantine")),
        *([f"cta-ops-repack-{s}"] for s in ("5-reclaim", "6-finish", "monitor")),
    ]
    for argv in runs:
        r = subprocess.run(
            [bin_ / argv[0], "-C", cfg, *argv[1:]],
            check=False,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in r.stderr, (argv, r.stderr)
        assert r.returncode in (0, 1), (argv, r.returncode, r.stderr)
    assert list(home.iterdir()) == []
    assert list(cwd.iterdir()) == []
    # (only names these tools write: other work on the machine may log there meanwhile)
    ours = ("cta-ops-", "repack-tapefile", "drive-environmentals", "alerts")
    changed = {p for p, m in _tree(var_log).items() if before.get(p) != m}
    assert not {p for p in changed if Path(p).name.startswith(ours)}, changed
    logs = {p.name for p in (sim.dir / "log").rglob("*.log")}
    expected = {argv[0] + ".log" for argv in runs}
    assert expected <= logs, expected - logs
