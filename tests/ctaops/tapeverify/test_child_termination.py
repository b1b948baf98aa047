"""A terminated tool stops the children it runs (issue 17, item 19): `ctaops tape verify --cta`
used to orphan `cta-admin`, which runs in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ctaops.tapeverify.conftest import VERIFY_TAPE, Instance


def _fake_cta_admin(tmp: Path, *, grandchild: bool = True) -> tuple[Path, Path, Path]:
    """A cta-admin that writes its pid (and that of a grandchild, if any) and hangs."""
    pids = tmp / "pids"
    started = tmp / "started"
    fake = tmp / "cta-admin-hangs"
    body = (
        # the grandchild must not hold the parent's pipes, or reading them waits for it
        "sleep 600 >/dev/null 2>&1 </dev/null &\nkid=$!\n" if grandchild else "kid=\n"
    )
    fake.write_text(
        "#!/bin/sh\n"
        + body
        + f'echo "$$ $kid" > {pids}.tmp && mv {pids}.tmp {pids}\n'
        # run_tracked tracks the child just after Popen returns: give it that moment (documented gap)
        + ("" if grandchild else "sleep 0.3\n")
        + f"touch {started}\n"
        + ("wait\n" if grandchild else "exec sleep 600\n")
    )
    fake.chmod(0o755)
    return fake, pids, started


def _wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _terminate_and_check(proc: subprocess.Popen[str], pids_file: Path, started: Path, sig: int) -> None:
    try:
        _wait_for(started)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert all(_alive(p) for p in pids)
        proc.send_signal(sig)
        code = proc.wait(timeout=10)
        assert _gone_within(pids, 2), f"children {pids} outlived their parent"
        assert code == 128 + sig, (code, proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
        if pids_file.exists():
            for p in pids_file.read_text().split():
                if _alive(int(p)):
                    os.kill(int(p), signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_tape_verify_cta_takes_cta_admin_with_it(inst: Instance, ctaops_native: str, tmp_path: Path, sig: int) -> None:
    fake, pids, started = _fake_cta_admin(tmp_path)
    cfg = inst.derived("hangs.yaml", {"global": {"binaries": {"cta-admin": str(fake)}}})
    image = inst.image("V00001")
    proc = subprocess.Popen(
        [ctaops_native, "tape", "verify", "--image", str(image), "--vid", "V00001", "--cta", "-C", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _terminate_and_check(proc, pids, started, sig)


def test_python_tool_takes_cta_admin_with_it(inst: Instance, tmp_path: Path) -> None:
    """`cta-ops-verify-tape` runs cta-admin through the Rust runner inside Python."""
    fake, pids, started = _fake_cta_admin(tmp_path)
    cfg = inst.derived("hangs.yaml", {"global": {"binaries": {"cta-admin": str(fake)}}})
    proc = subprocess.Popen(
        [*VERIFY_TAPE, "-C", str(cfg), "--vid", "V00001"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _terminate_and_check(proc, pids, started, signal.SIGTERM)


def test_python_subprocess_children_are_stopped_too(tmp_path: Path) -> None:
    """A tool's own `subprocess` children (run_cmd), in the tool's process group: the child is
    signalled (its grandchildren share the group of the tool's caller, which is not ours to kill)."""
    fake, pids, started = _fake_cta_admin(tmp_path, grandchild=False)
    script = (
        "import sys\n"
        "from ctaops.utils.cmd import forward_termination, run_cmd\n"
        "forward_termination()\n"
        "run_cmd([sys.argv[1]], timeout=600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(fake)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _terminate_and_check(proc, pids, started, signal.SIGTERM)


def test_without_forwarding_a_library_keeps_python_semantics(tmp_path: Path) -> None:
    """Forwarding is opt-in: a program that does not ask keeps KeyboardInterrupt on SIGINT."""
    fake, pids, started = _fake_cta_admin(tmp_path)
    script = (
        "import sys\n"
        "from ctaops.utils.cmd import run_cmd\n"
        "try:\n"
        "    run_cmd([sys.argv[1]], timeout=600)\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(42)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(fake)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(started)
        child = [int(p) for p in pids.read_text().split()]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 42
        # run_tracked kills its child when interrupted, as subprocess.run does.
        assert _gone_within(child[:1], 2)
    finally:
        for p in pids.read_text().split() if pids.exists() else []:
            if _alive(int(p)):
                os.kill(int(p), signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
