"""Issue 17, item 9: every file ctaops replaces keeps what the operator made of its path.

Symlinks stay symlinks (the simulator keeps seeing the moves), modes and owners are kept, device
nodes and FIFOs are written in place and never replaced by a regular file, a directory is a
one-line error, and no temporary file outlives an error.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from ctaops.utils.files import write_atomic
from tests.ctaops.drivetools import SimLibrary, sim_library, tool


@pytest.fixture
def sim(ctaops_native: str, tmp_path: Path) -> SimLibrary:
    return sim_library(ctaops_native, tmp_path)


def _prometheus(prog: str, sim: SimLibrary, target: Path) -> subprocess.CompletedProcess[str]:
    """Run ``prog --prometheus target`` (the ATRESYS monitor on the instance's own database)."""
    if prog == "cta-ops-repack-monitor":
        db = subprocess.run(
            [sim.exe, "repack-manager", "-C", str(sim.config), "db", "upgrade"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert db.returncode == 0, db.stderr
    return tool(prog, "-C", sim.config, "--prometheus", target)


def _error_line(r: subprocess.CompletedProcess[str]) -> str:
    """The one error line (other stderr lines are the tools' warnings about the environment)."""
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    errors = [x for x in r.stderr.splitlines() if x.startswith("error:") or ": error: " in x]
    assert len(errors) == 1, r.stderr
    return errors[0]


def _temps(*dirs: Path) -> list[str]:
    return [p.name for d in dirs for p in d.iterdir() if ".tmp" in p.name]


def _drive_vids(state: Path) -> list[str]:
    """Every VID the state file shows in a drive."""
    text = json.dumps(json.loads(state.read_text())["drives"])
    return [v for v in ("V00001", "V00002") if v in text]


def _smc(sim: SimLibrary, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sim.exe, "smc", "--library-state", str(state), *args], capture_output=True, text=True, check=False
    )


def test_symlinked_library_state_stays_a_symlink_and_the_simulator_sees_the_move(
    sim: SimLibrary, tmp_path: Path
) -> None:
    link = tmp_path / "lib1.json"
    link.symlink_to(sim.state)
    sim.state.chmod(0o640)
    r = _smc(sim, link, "-m", "-D", "1", "-V", "V00001")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink()
    assert os.readlink(link) == str(sim.state)
    assert _drive_vids(sim.state) == ["V00001"]  # the simulator's own copy saw the mount
    assert stat.S_IMODE(sim.state.stat().st_mode) == 0o640
    # and the simulator's own tools see it through the instance's path
    q = subprocess.run([str(sim.dir / "bin" / "cta-smc"), "-q", "D"], capture_output=True, text=True, check=False)
    assert q.returncode == 0, q.stderr
    assert "V00001" in q.stdout
    assert _temps(tmp_path, sim.state.parent) == []


def _fifo_reader(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t, got


def test_prometheus_into_a_fifo_writes_through_it(sim: SimLibrary, tmp_path: Path) -> None:
    fifo = tmp_path / "alerts.fifo"
    os.mkfifo(fifo)
    t, got = _fifo_reader(fifo)
    r = tool("cta-ops-tape-alerting", "-C", sim.config, "--prometheus", fifo)
    t.join(timeout=30)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got
    assert b"# TYPE" in got[0]
    assert _temps(tmp_path) == []


def _full_device(tmp_path: Path) -> Path:
    """A node behaving as /dev/full. As root, our own node (the real one must survive any bug)."""
    if os.geteuid() != 0:
        return Path("/dev/full")  # cannot be replaced by a non-root process anyway
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except OSError as e:
        pytest.skip(f"cannot create a device node here: {e}")
    return node


@pytest.mark.parametrize("prog", ["cta-ops-tape-alerting", "cta-ops-repack-monitor"])
def test_prometheus_to_dev_full_is_one_line_and_the_device_stays(prog: str, sim: SimLibrary, tmp_path: Path) -> None:
    dev = _full_device(tmp_path)
    line = _error_line(_prometheus(prog, sim, dev))
    assert str(dev) in line
    assert "No space left on device" in line
    assert stat.S_ISCHR(os.lstat(dev).st_mode)
    assert _temps(tmp_path) == []


@pytest.mark.parametrize("prog", ["cta-ops-tape-alerting", "cta-ops-repack-monitor"])
def test_prometheus_to_a_directory_is_one_line_and_leaves_no_temp_file(
    prog: str, sim: SimLibrary, tmp_path: Path
) -> None:
    d = tmp_path / "metrics"
    d.mkdir()
    line = _error_line(_prometheus(prog, sim, d))
    assert "Is a directory" in line
    assert str(d) in line
    assert d.is_dir()
    assert list(d.iterdir()) == []
    assert _temps(tmp_path) == []


def test_tape_alerting_keeps_the_mode_of_its_outputs(sim: SimLibrary, tmp_path: Path) -> None:
    prom = tmp_path / "alerts.prom"
    prom.write_text("old\n")
    prom.chmod(0o640)
    r = tool("cta-ops-tape-alerting", "-C", sim.config, "--prometheus", prom)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(prom.stat().st_mode) == 0o640
    assert "# TYPE" in prom.read_text()


def test_write_atomic_follows_symlinks_and_keeps_mode(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    (tmp_path / "l1").symlink_to("real.txt")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    write_atomic(tmp_path / "l2", "new")
    assert real.read_text() == "new"
    assert (tmp_path / "l1").is_symlink()
    assert (tmp_path / "l2").is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    write_atomic(real, b"secret", mode=0o600)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    (tmp_path / "dangling").symlink_to("created.txt")
    write_atomic(tmp_path / "dangling", "x")
    assert (tmp_path / "created.txt").read_text() == "x"
    assert _temps(tmp_path) == []


def test_write_atomic_new_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_write_atomic_into_a_read_only_directory_names_the_path(tmp_path: Path) -> None:
    d = tmp_path / "ro"
    d.mkdir()
    (d / "f").write_text("old")
    d.chmod(0o555)
    try:
        with pytest.raises(PermissionError) as e:
            write_atomic(d / "f", "new")
        assert e.value.filename == str(d / "f")
        assert (d / "f").read_text() == "old"
        assert _temps(d) == []
    finally:
        d.chmod(0o755)


def test_write_atomic_keeps_the_owner_when_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    f = tmp_path / "owned"
    f.write_text("old")
    os.chown(f, 4242, 4343)
    write_atomic(f, "new")
    st = f.stat()
    assert (st.st_uid, st.st_gid) == (4242, 4343)
    assert f.read_text() == "new"


def test_write_atomic_error_into_a_full_device_removes_nothing(tmp_path: Path) -> None:
    dev = _full_device(tmp_path)
    with pytest.raises(OSError, match="No space left") as e:
        write_atomic(dev, "x" * 10000)
    assert e.value.filename == str(dev)
    assert stat.S_ISCHR(os.lstat(dev).st_mode)
