"""scripts/build_deb.sh: dpkg-deb builds the .deb from the project's wheel, and it installs for real.

The wheel is found as tests/packaging/test_rpm.py finds it ($CTAOPS_WHEEL first); the dependency
wheels come from $CTAOPS_DEPS_DIR or pip. The package is inspected with dpkg-deb, then installed
with dpkg in a throwaway Debian bookworm root (tests/packaging/debroot.py, cached), where its tools
run against a simulator instance, an upgrade keeps an edited conffile and a purge removes the venv.
Installing needs root (chroot); only that part is skipped without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging import debroot
from tests.packaging.test_rpm import _wheel

ROOT = Path(__file__).resolve().parents[2]
DPKG_DEB = shutil.which("dpkg-deb")
pytestmark = pytest.mark.skipif(DPKG_DEB is None, reason="dpkg-deb is not installed (Debian: apt-get install dpkg)")
SCHEDULED = sorted(p.stem for p in (ROOT / "packaging" / "systemd").glob("*.timer"))
CONFIG = "/etc/cta-ops/cta-ops-config.yaml"
ERRORS = "/etc/cta-ops/error-messages.yaml"
MAINTAINER = {"DEBFULLNAME": "ctaops tests", "DEBEMAIL": "ctaops-tests@example.org"}


def _cta_range() -> tuple[str, str]:
    rows = [line.split() for line in (ROOT / "python/ctaops/cta_versions.txt").read_text().splitlines()]
    newest = next(row for row in rows if row and not row[0].startswith("#"))
    return newest[3], newest[4]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def deb(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("deb")
    argv = [str(ROOT / "scripts" / "build_deb.sh"), str(wheel), str(tmp / "out")]
    if os.environ.get("CTAOPS_DEPS_DIR"):
        argv.append(os.environ["CTAOPS_DEPS_DIR"])
    env = {**os.environ, "PIP": str(Path(sys.executable).parent / "pip"), **MAINTAINER}
    r = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    (built,) = (tmp / "out").glob("ctaops_*_amd64.deb")
    assert r.stdout.strip() == str(built)
    return built


def _info(deb: Path, *args: str) -> str:
    return subprocess.run(["dpkg-deb", *args, str(deb)], capture_output=True, text=True, check=True).stdout


def test_control_depends_on_the_build_python_and_recommends_the_cta_client_range(deb: Path, wheel: Path) -> None:
    fields = dict(
        line.split(": ", 1) for line in _info(deb, "--field").splitlines() if line and not line.startswith(" ")
    )
    assert fields["Package"] == "ctaops"
    assert fields["Architecture"] == "amd64"
    assert re.fullmatch(r"\d+\.\d+\.\d+-1", fields["Version"])
    assert fields["Version"].split("-")[0] == wheel.name.split("-")[1]
    major, minor = _host_python()
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert f"python3 (>= {major}.{minor})" in depends
    assert f"python3 (<< {major}.{minor + 1})" in depends  # the venv's site-packages name the minor version
    assert "passwd" in depends  # useradd in postinst
    glibc = re.search(r"manylinux_(\d+)_(\d+)", wheel.name)
    assert glibc is not None
    assert f"libc6 (>= {glibc[1]}.{glibc[2]})" in depends  # the wheel's extension needs it
    assert fields["Maintainer"] == "ctaops tests <ctaops-tests@example.org>"
    # CTA ships cta-cli as an RPM only: a Depends would make the package uninstallable.
    low, below = _cta_range()
    assert not [d for d in depends if d.startswith("cta-cli")]
    assert fields["Recommends"] == f"cta-cli (>= {low}), cta-cli (<< {below})"
    control = subprocess.run(["dpkg-deb", "--info", str(deb), "control"], capture_output=True, text=True, check=True)
    assert "#" not in control.stdout  # the template's comments stay in the template


def _host_python() -> tuple[int, int]:
    """The version of the interpreter build_deb.sh makes the venv with (its $PYTHON default)."""
    out = subprocess.run(
        ["/usr/bin/python3", "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_contents_are_the_rpm_layout_with_debian_unit_dir(deb: Path) -> None:
    files = {line.split()[5].lstrip("."): line.split()[0] for line in _info(deb, "--contents").splitlines()}
    for tool in [*SCHEDULED, "ctaops", "cta-ops-admin", "cta-ops-repack-manager", "cta-ops-verify-tape"]:
        assert f"/opt/ctaops/bin/{tool}" in files, tool
    for tool in SCHEDULED:
        assert f"/lib/systemd/system/{tool}.service" in files
        assert f"/lib/systemd/system/{tool}.timer" in files
    doc = "/usr/share/doc/ctaops"
    for path in [
        ERRORS,
        "/opt/ctaops/pyvenv.cfg",
        f"{doc}/cron/cta-ops-frontend",
        f"{doc}/cron/cta-ops-tapeserver",
        f"{doc}/rundeck/ctaops-frontend.yaml",
        f"{doc}/logrotate/ctaops",
        f"{doc}/scheduling.md",
        f"{doc}/install.md",
        f"{doc}/LICENSE",
        f"{doc}/copyright",
        f"{doc}/changelog.Debian.gz",
        "/usr/share/lintian/overrides/ctaops",
    ]:
        assert path in files, path
    assert files[CONFIG] == "-rw-r-----"  # credentials: postinst gives it group tape
    assert not [p for p in files if "/usr/lib/systemd" in p or "/etc/systemd" in p]  # nothing enabled
    conffiles = subprocess.run(
        ["dpkg-deb", "--info", str(deb), "conffiles"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert conffiles == [CONFIG, ERRORS]


@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian is not installed (apt-get install lintian)")
def test_lintian_finds_no_errors_beyond_the_documented_overrides(deb: Path) -> None:
    r = subprocess.run(["lintian", str(deb)], capture_output=True, text=True, check=False)
    errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
    assert errors == []
    assert r.returncode == 0, r.stderr


def _chroot(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}
    return subprocess.run(
        ["chroot", str(root), "sh", "-ec", script], capture_output=True, text=True, env=env, check=False, timeout=300
    )


def _install(deb: Path, root: Path) -> Path:
    """A fresh bookworm root with the package installed by dpkg inside it."""
    try:
        debroot.unpack(root)
    except debroot.NoRoot as e:
        pytest.skip(str(e))
    shutil.copy(deb, root / "tmp" / deb.name)
    r = _chroot(root, f"dpkg -i /tmp/{deb.name}")
    assert r.returncode == 0, r.stdout + r.stderr
    return root


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="installing into a chroot needs root")


@pytest.fixture(scope="module")
def installed(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _install(deb, tmp_path_factory.mktemp("debroot") / "root")


@needs_root
def test_install_creates_the_service_user_dirs_and_conffiles_and_enables_nothing(installed: Path) -> None:
    r = _chroot(
        installed,
        "id -nG tape-local; getent passwd tape-local | cut -d: -f6,7;"
        f" stat -c '%U:%G %a %n' {CONFIG} /var/log/cta-ops /var/log/cta-ops/repack"
        " /var/log/cta-ops/verification /var/lib/cta-ops;"
        " dpkg-query -W -f='${Conffiles}' ctaops;"
        " echo ---; ls /etc/systemd/system/*.wants/; echo ---; ls /lib/systemd/system/",
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "tape"
    assert lines[1] == "/var/lib/cta-ops:/usr/sbin/nologin"
    assert lines[2] == f"root:tape 640 {CONFIG}"
    directories = ["/var/log/cta-ops", "/var/log/cta-ops/repack", "/var/log/cta-ops/verification", "/var/lib/cta-ops"]
    assert lines[3:7] == [f"tape-local:tape 2770 {d}" for d in directories]
    registered = {line.split()[0] for line in lines if line.startswith(" /etc/")}
    assert registered == {CONFIG, ERRORS}
    _, enabled, units = r.stdout.split("---\n")
    assert {f"{tool}.timer" for tool in SCHEDULED} <= set(units.split())  # installed ...
    assert "timers.target.wants" in enabled
    assert "cta-ops" not in enabled  # ... and not wanted by any target


@needs_root
def test_installed_tools_run_against_a_simulator_in_the_root(installed: Path) -> None:
    r = _chroot(
        installed,
        "/opt/ctaops/bin/ctaops --version; /opt/ctaops/bin/cta-ops-pool-supply --version;"
        " cd /tmp; /opt/ctaops/bin/ctaops sim init /tmp/lab >/dev/null;"
        " /opt/ctaops/bin/cta-ops-pool-supply --dry-run -C /tmp/lab/cta-ops-config.yaml",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert re.match(r"ctaops \d+\.\d+\.\d+ \(tested with CTA ", lines[0])
    assert re.match(r"cta-ops-pool-supply \d+\.\d+\.\d+ \(tested with CTA ", lines[1])
    # The small preset's data pools, each already holding its target of supply tapes.
    pools = {line.split()[0]: line.split() for line in lines if line.startswith("ctaops_")}
    assert set(pools) == {"ctaops_repack", "ctaops_user"}
    assert all(row[-2] == "ok" for row in pools.values())
    assert "would write /tmp/lab/metrics/pool-supply.prom" in r.stderr
    assert not (installed / "tmp" / "lab" / "metrics" / "pool-supply.prom").exists()  # dry run


@needs_root
def test_upgrade_keeps_an_edited_conffile_and_purge_removes_the_venv_and_disables_timers(
    deb: Path, tmp_path: Path
) -> None:
    root = _install(deb, tmp_path / "root")
    # A booted-systemd look-alike: the directory the maintainer scripts test, and a systemctl
    # that records what it is asked to do.
    (root / "run" / "systemd" / "system").mkdir(parents=True)
    fake = root / "usr" / "local" / "bin" / "systemctl"
    fake.write_text('#!/bin/sh\necho "$*" >> /tmp/systemctl.log\n')
    fake.chmod(0o755)
    r = _chroot(
        root,
        f"echo '# site edit' >> {CONFIG}; dpkg -i /tmp/{deb.name} >/dev/null; tail -1 {CONFIG};"
        " /opt/ctaops/bin/ctaops --version >/dev/null;"
        # Byte code written at run time, which dpkg does not know about.
        " mkdir /opt/ctaops/lib/__pycache__; : > /opt/ctaops/lib/__pycache__/site.cpython-311.pyc;"
        " dpkg --purge ctaops >/dev/null; dpkg-query -W -f='${db:Status-Status}' ctaops || true",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "# site edit"  # the operator's edit survived the upgrade
    assert lines[1:] in ([], ["not-installed"])
    for gone in ["opt/ctaops", "etc/cta-ops/cta-ops-config.yaml", "var/lib/cta-ops", "var/log/cta-ops"]:
        assert not (root / gone).exists(), gone
    assert (root / "usr" / "bin" / "python3").exists()  # only the package went
    calls = (root / "tmp" / "systemctl.log").read_text().splitlines()
    disabled = sorted(c.split()[-1] for c in calls if c.startswith("--no-reload disable --now "))
    assert disabled == sorted(f"{tool}.timer" for tool in SCHEDULED)  # on removal only
    assert set(calls) - {f"--no-reload disable --now {t}" for t in disabled} == {"daemon-reload"}  # never enabled
