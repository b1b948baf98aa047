"""packaging/rpm/ctaops.spec: rpmbuild builds it from the project's wheel, and the RPM holds a working venv.

The wheel is $CTAOPS_WHEEL (`make test-python` passes the wheel it has just built from this tree
into $CARGO_TARGET_DIR/device-wheel); run by hand, the newest of dist/ and that directory, and
only when there is none is one built here with maturin. The dependency wheels are downloaded
with pip (or taken from $CTAOPS_DEPS_DIR).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RPMBUILD = shutil.which("rpmbuild")
pytestmark = pytest.mark.skipif(RPMBUILD is None, reason="rpmbuild is not installed (Debian: apt-get install rpm)")
SCHEDULED = sorted(p.stem for p in (ROOT / "packaging" / "systemd").glob("*.timer"))


def _wheel(tmp: Path) -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    candidates = [Path(os.environ["CTAOPS_WHEEL"])] if os.environ.get("CTAOPS_WHEEL") else []
    for directory in (ROOT / "dist", target / "device-wheel"):
        candidates += sorted(directory.glob("ctaops-*.whl"), key=lambda p: p.stat().st_mtime, reverse=True)
    if candidates:
        return candidates[0]
    maturin = Path(sys.executable).parent / "maturin"
    subprocess.run([str(maturin), "build", "-q", "--release", "-o", str(tmp)], cwd=ROOT, check=True)
    (wheel,) = tmp.glob("ctaops-*.whl")
    return wheel


def _extract_newc(data: bytes, dest: Path) -> None:
    """Unpack rpm2cpio's output (SVR4 "newc" cpio): cpio itself is not always installed."""
    pos = 0
    while True:
        header = data[pos : pos + 110]
        assert header[:6] == b"070701", header[:6]
        fields = [int(header[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        mode, size, name_size = fields[1], fields[6], fields[11]
        name = data[pos + 110 : pos + 110 + name_size - 1].decode()
        pos = (pos + 110 + name_size + 3) & ~3
        body = data[pos : pos + size]
        pos = (pos + size + 3) & ~3
        if name == "TRAILER!!!":
            return
        path = dest / name.lstrip("./")
        path.parent.mkdir(parents=True, exist_ok=True)
        if stat.S_ISDIR(mode):
            path.mkdir(exist_ok=True)
        elif stat.S_ISLNK(mode):
            path.symlink_to(body.decode())
        elif stat.S_ISREG(mode):
            path.write_bytes(body)
            path.chmod(mode & 0o777)


@pytest.fixture(scope="module")
def rpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("rpm")
    wheel = _wheel(tmp)
    argv = [str(ROOT / "scripts" / "build_rpm.sh"), str(wheel), str(tmp / "out")]
    if os.environ.get("CTAOPS_DEPS_DIR"):
        argv.append(os.environ["CTAOPS_DEPS_DIR"])
    env = {**os.environ, "PIP": str(Path(sys.executable).parent / "pip")}
    r = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    (built,) = (tmp / "out").glob("ctaops-*.rpm")
    return built


def _q(rpm: Path, *options: str) -> str:
    return subprocess.run(["rpm", "-qp", *options, str(rpm)], capture_output=True, text=True, check=True).stdout


def test_rpm_lists_the_venv_config_units_examples_and_dirs(rpm: Path) -> None:
    files = set(subprocess.run(["rpm", "-qlp", str(rpm)], capture_output=True, text=True, check=True).stdout.split())
    for tool in [*SCHEDULED, "ctaops", "cta-ops-admin", "cta-ops-repack-manager", "cta-ops-verify-tape"]:
        if tool != "cta-ops-data-monitoring" or (ROOT / "python" / "ctaops" / "datamon").exists():
            assert f"/opt/ctaops/bin/{tool}" in files, tool
    for tool in SCHEDULED:
        assert f"/usr/lib/systemd/system/{tool}.service" in files
        assert f"/usr/lib/systemd/system/{tool}.timer" in files
    doc = "/usr/share/doc/ctaops"
    for path in [
        "/etc/cta-ops/cta-ops-config.yaml",
        "/etc/cta-ops/error-messages.yaml",
        "/opt/ctaops/pyvenv.cfg",
        f"{doc}/cron/cta-ops-frontend",
        f"{doc}/cron/cta-ops-tapeserver",
        f"{doc}/rundeck/ctaops-frontend.yaml",
        f"{doc}/logrotate/ctaops",
        f"{doc}/scheduling.md",
        f"{doc}/install.md",
        "/var/log/cta-ops",
        "/var/lib/cta-ops",
    ]:
        assert path in files, path
    assert not [f for f in files if f.startswith("/usr/lib/.build-id")]


def test_config_is_noreplace_and_dirs_belong_to_the_service_user(rpm: Path) -> None:
    flags = dict(
        line.split(" ", 1)[::-1] for line in _q(rpm, "--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\n]").splitlines()
    )
    assert "c" in flags["/etc/cta-ops/cta-ops-config.yaml"]
    assert "n" in flags["/etc/cta-ops/cta-ops-config.yaml"]  # noreplace: a site's edits survive updates
    assert "c" in flags["/etc/cta-ops/error-messages.yaml"]
    assert "d" in flags["/usr/share/doc/ctaops/scheduling.md"]
    owners = {
        line.split()[-1]: line.split()[:3]
        for line in _q(rpm, "--qf", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]").splitlines()
    }
    assert owners["/etc/cta-ops/cta-ops-config.yaml"] == ["-rw-r-----", "root", "tape"]  # it holds passwords
    for directory in ["/var/log/cta-ops", "/var/log/cta-ops/repack", "/var/lib/cta-ops"]:
        assert owners[directory] == ["drwxrws---", "tape-local", "tape"], directory


def test_requires_the_tested_cta_client_range_and_creates_the_user(rpm: Path) -> None:
    requires = _q(rpm, "--requires").splitlines()
    assert "cta-cli >= 5.10.11" in requires
    assert "cta-cli < 6" in requires
    assert "python3 >= 3.9" in requires
    # The venv's scripts would otherwise make the package require /opt/ctaops/bin/python.
    assert not [r for r in requires if r.startswith("/opt/")]
    scripts = _q(rpm, "--scripts")
    pre = scripts.split("preinstall scriptlet", 1)[1].split("scriptlet", 1)[0]
    assert "useradd -r -g tape" in pre
    assert "tape-local" in pre
    assert "systemctl enable" not in scripts  # units ship disabled


def test_the_packaged_venv_runs_its_tools(rpm: Path, tmp_path: Path) -> None:
    """Unpacked anywhere, the venv's interpreter finds its own site-packages (pyvenv.cfg)."""
    rpm2cpio = subprocess.run(["rpm2cpio", str(rpm)], capture_output=True, check=True).stdout
    _extract_newc(rpm2cpio, tmp_path)
    venv = tmp_path / "opt" / "ctaops"
    script = venv / "bin" / "cta-ops-pool-supply"
    assert script.read_text().splitlines()[0] == "#!/opt/ctaops/bin/python"  # not the build root
    assert "command = /usr/bin/python3 -m venv /opt/ctaops" in (venv / "pyvenv.cfg").read_text()
    leaked = [p for p in venv.rglob("*") if p.is_file() and not p.is_symlink() and b"BUILDROOT" in p.read_bytes()]
    assert leaked == []  # scripts, activate files and .pyc all name /opt/ctaops
    assert not list(venv.rglob("direct_url.json"))
    r = subprocess.run(
        [str(venv / "bin" / "python"), str(script), "--version"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    assert re.match(r"cta-ops-pool-supply \d", r.stdout)
    r = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import ctaops, tabulate; print(ctaops.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert r.stdout.startswith(str(venv))
