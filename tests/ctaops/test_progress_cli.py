"""Rust progress display (issue 18): not on a terminal, periodic `tracing` info lines on stderr
(interval from CTAOPS_PROGRESS_INTERVAL) and nothing extra on stdout."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.ctaops.test_tape_cli import VID, tape  # noqa: F401 (the fixture)


def run(exe: str, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("RUST_LOG", "CTAOPS_PROGRESS_INTERVAL")}
    full.update(env)
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, check=False, env=full, timeout=300)


def test_verify_reports_progress_lines_on_stderr_and_leaves_stdout_alone(
    tape: tuple[Path, Path, list[bytes]],  # noqa: F811
    ctaops_native: str,
) -> None:
    image, catalogue, _ = tape
    args = ("tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--json")
    quiet = run(ctaops_native, *args)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    loud = run(ctaops_native, *args, RUST_LOG="info", CTAOPS_PROGRESS_INTERVAL="0")
    assert loud.returncode == 0, loud.stderr
    # the data is the same (timings and the seed aside)
    assert json.loads(loud.stdout)["files"] == json.loads(quiet.stdout)["files"]
    lines = [line for line in loud.stderr.splitlines() if "tape verify: " in line]
    assert len(lines) >= 2, loud.stderr
    assert all(" done, " in line and "MB/s" in line for line in lines)
    assert "\r" not in loud.stderr  # no terminal redraws into a pipe


def test_default_interval_keeps_a_short_run_silent(
    tape: tuple[Path, Path, list[bytes]],  # noqa: F811
    ctaops_native: str,
) -> None:
    image, catalogue, _ = tape
    r = run(ctaops_native, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, RUST_LOG="info")
    assert r.returncode == 0, r.stderr
    assert "tape verify: " not in r.stderr


def test_sim_run_says_it_is_still_running(ctaops_native: str, tmp_path: Path) -> None:
    d = tmp_path / "inst"
    init = run(ctaops_native, "sim", "init", d)
    assert init.returncode == 0, init.stderr
    r = run(ctaops_native, "sim", "run", d, "--for", "1s", RUST_LOG="info", CTAOPS_PROGRESS_INTERVAL="0.2")
    assert r.returncode == 0, r.stderr
    assert "sim run: still running after" in r.stderr
    quiet = run(ctaops_native, "sim", "run", d, "--for", "1s")
    assert "still running" not in quiet.stderr


def on_a_terminal(*argv: str) -> bytes:
    """Everything `argv` writes to a pseudo-terminal (stdout and stderr both)."""
    import pty  # noqa: PLC0415 (POSIX only, as the test)

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.execv(argv[0], list(argv))  # noqa: S606 (the binary under test, no shell)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, out
    return out


def test_on_a_terminal_the_spinner_is_drawn_then_cleared(ctaops_native: str, tmp_path: Path) -> None:
    d = tmp_path / "inst"
    assert run(ctaops_native, "sim", "init", d).returncode == 0
    out = on_a_terminal(ctaops_native, "sim", "run", str(d), "--for", "1s")
    assert b"sim run [" in out
    # the last thing before the report is the erase-line sequence: nothing of the bar stays
    before, _, report = out.rpartition(b"\x1b[2K")
    assert b"sim run [" in before
    assert json.loads(report)["mounts"] == 0
