"""Issue 17, item 16: ``sim init`` gives what it creates explicit modes, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

SECRETS = ("grpc/server.key", "grpc/jwt-private.pem", "grpc/token")


def _init(sim_exe: str, d: Path, umask: str) -> None:
    r = subprocess.run(
        ["sh", "-c", f'umask {umask} && exec "$0" sim init "$1"', sim_exe, str(d)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr


def _modes(root: Path) -> dict[str, int]:
    out = {".": stat.S_IMODE(os.lstat(root).st_mode)}
    for base, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            p = Path(base) / name
            st = os.lstat(p)
            if not stat.S_ISLNK(st.st_mode):
                out[str(p.relative_to(root))] = stat.S_IMODE(st.st_mode)
    return out


def test_sim_init_under_umask_000_leaves_nothing_group_or_world_writable(sim_exe: str, tmp_path: Path) -> None:
    d = tmp_path / "inst"
    _init(sim_exe, d, "000")
    modes = _modes(d)
    writable = {p: oct(m) for p, m in modes.items() if m & 0o022}
    assert writable == {}
    for sub in (".", "bin", "grpc", "tapes", "library", "log/repack", "metrics"):
        assert modes[sub] == 0o755, sub
    bins = [p for p in modes if p.startswith("bin/")]
    assert "bin/cta-admin" in bins
    assert "bin/sendmail" in bins
    assert all(modes[p] == 0o755 for p in bins), {p: oct(modes[p]) for p in bins}
    for secret in SECRETS:
        assert modes[secret] == 0o600, secret
    assert modes["cta-ops-config.yaml"] == 0o644
    assert modes["catalogue.db"] == 0o644
    # the instance still works: its own cta-admin reads what init wrote
    r = subprocess.run(
        [str(d / "bin" / "cta-admin"), "tape", "ls", "--all"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    assert "V00001" in r.stdout


@pytest.mark.parametrize("umask", ["077", "022"])
def test_sim_init_modes_do_not_depend_on_the_umask(sim_exe: str, tmp_path: Path, umask: str) -> None:
    d = tmp_path / "inst"
    _init(sim_exe, d, umask)
    modes = _modes(d)
    assert modes["bin/cta-admin"] == 0o755
    assert modes["grpc"] == 0o755
    for secret in SECRETS:
        assert modes[secret] == 0o600, secret
