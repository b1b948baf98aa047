"""packaging/container/Containerfile, built and run with buildah (issue 21).

scripts/build_container.py (what `make container` runs) builds the image from this tree's wheel on
a Debian bookworm base made with debootstrap and cached under /var/cache/ctaops-containers, with
the dependency wheels of requirements.txt: no registry and no index are reached from the build.
The tools then run in the image (`buildah run`, chroot isolation): every console script, as
`tape-local` with the shipped config, and pool supply against a simulator instance that
`ctaops sim init` made inside the image on a host volume, which the host then reads.

The wheel is $CTAOPS_WHEEL (`make test-python` passes the one it has just built), else the newest
of dist/ and $CARGO_TARGET_DIR/device-wheel; the test is skipped only without one of them, without
buildah or debootstrap, or when not root (the builder's storage is rootful).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ctaops
from ctaops._versions import version_line
from tests.packaging.debroot import build_container_module

ROOT = Path(__file__).resolve().parents[2]
TAG = "localhost/ctaops:pytest"
SIM = "/srv/sim"  # where the host volume is mounted in the container
LS_USER = ("--json", "tape", "ls", "--tapepool", "ctaops_user")
_SCRIPTS_SECTION = (ROOT / "pyproject.toml").read_text().split("[project.scripts]", 1)[1].split("\n[", 1)[0]
SCRIPTS = sorted(re.findall(r"^([\w.-]+)\s*=", _SCRIPTS_SECTION, re.M))


def _wheel() -> Path | None:
    if os.environ.get("CTAOPS_WHEEL"):
        return Path(os.environ["CTAOPS_WHEEL"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    wheels = [*(ROOT / "dist").glob("ctaops-*.whl"), *(target / "device-wheel").glob("ctaops-*.whl")]
    return max(wheels, key=lambda p: p.stat().st_mtime) if wheels else None


WHEEL = _wheel()
pytestmark = [
    pytest.mark.skipif(
        shutil.which("buildah") is None, reason="buildah is not installed (Debian: apt-get install buildah)"
    ),
    pytest.mark.skipif(
        shutil.which("debootstrap") is None, reason="debootstrap is not installed (Debian: apt-get install debootstrap)"
    ),
    pytest.mark.skipif(os.geteuid() != 0, reason="the image is built with rootful buildah: run as root"),
    pytest.mark.skipif(WHEEL is None, reason="no ctaops wheel: `make wheel` or `make device-wheel` first"),
    # The first test also builds the image, and a cold run its debootstrap base (minutes).
    pytest.mark.timeout(1800),
]


builder = build_container_module()


@pytest.fixture(scope="module")
def buildah() -> Any:
    return builder.Buildah()


@pytest.fixture(scope="module")
def container(buildah: Any) -> Iterator[str]:
    """A working container of the image `make container` builds, from this tree's wheel."""
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_container.py"), "--wheel", str(WHEEL), "--tag", TAG],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    assert r.stdout == f"{TAG}\n"
    name = buildah.start(TAG)
    try:
        yield name
    finally:
        buildah.remove(name)
        subprocess.run(buildah.argv("rmi", TAG), capture_output=True, check=False)


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("container-volume")
    d.chmod(0o777)  # the image's user (tape-local) writes here; it has no uid on the host
    return d


def run(buildah: Any, container: str, *argv: str, volume: Path | None = None) -> str:
    """`argv` in the container; its stdout, after checking it succeeded without a traceback."""
    r = buildah.run(container, argv, volumes=[f"{volume}:{SIM}"] if volume else [])
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 0, (argv, r.returncode, r.stdout, r.stderr)
    out: str = r.stdout
    return out


def test_ctaops_is_the_wheels_console_script_and_reports_its_version(buildah: Any, container: str) -> None:
    assert run(buildah, container, "sh", "-c", "command -v ctaops") == "/opt/ctaops/bin/ctaops\n"
    # The Python entry point of the wheel (not a separate Rust binary): `sim` wrappers run it.
    assert run(buildah, container, "head", "-1", "/opt/ctaops/bin/ctaops") == "#!/opt/ctaops/bin/python3\n"
    assert run(buildah, container, "ctaops", "--version") == f"ctaops {version_line(ctaops.__version__)}\n"


def test_every_console_script_answers_version_and_help(buildah: Any, container: str) -> None:
    # One run for all of them: each `buildah run` costs a second or so.
    loop = 'for s in "$@"; do "$s" --version && "$s" --help >/dev/null || echo "FAILED $s"; done'
    out = run(buildah, container, "sh", "-c", loop, "sh", *SCRIPTS)
    assert "FAILED" not in out, out
    lines = out.splitlines()
    assert len(lines) == len(SCRIPTS)
    for script, line in zip(SCRIPTS, lines, strict=True):
        assert line == f"{script} {version_line(ctaops.__version__)}", line
    usage = run(buildah, container, "cta-ops-pool-supply", "--help")
    assert usage.startswith("usage: cta-ops-pool-supply ")
    assert "--dry-run" in usage


def test_runs_as_tape_local_with_the_shipped_config(buildah: Any, container: str) -> None:
    who = run(buildah, container, "sh", "-c", 'id -un; id -gn; pwd; echo "$CTAOPS_CONFIG"')
    assert who.splitlines() == ["tape-local", "tape", "/var/lib/cta-ops", "/etc/cta-ops/cta-ops-config.yaml"]
    for name in ("cta-ops-config.yaml", "error-messages.yaml"):
        shipped = (ROOT / "packaging" / name).read_text()
        assert run(buildah, container, "cat", f"/etc/cta-ops/{name}") == shipped
    # The directories the tools write are tape-local's, the rest of the image is not.
    owners = run(buildah, container, "stat", "-c", "%n %U %G", "/var/log/cta-ops", "/var/lib/cta-ops", "/opt/ctaops")
    assert owners.splitlines() == [
        "/var/log/cta-ops tape-local tape",
        "/var/lib/cta-ops tape-local tape",
        "/opt/ctaops root root",
    ]
    run(buildah, container, "touch", "/var/log/cta-ops/written", "/var/lib/cta-ops/written")
    # Their modes as the image has them: `buildah run` gives each VOLUME a fresh copy without the
    # setgid bit, so they are read from the mounted image instead.
    image_root = buildah.mount(container)
    try:
        for d in ("var/log/cta-ops", "var/log/cta-ops/repack", "var/lib/cta-ops"):
            assert oct(os.stat(image_root / d).st_mode & 0o7777) == "0o2770", d
    finally:
        buildah.unmount(container)


def test_pool_supply_refills_a_simulator_instance_on_a_volume(buildah: Any, container: str, volume: Path) -> None:
    inst = f"{SIM}/inst"
    config = f"{inst}/cta-ops-config.yaml"
    created = json.loads(run(buildah, container, "ctaops", "sim", "init", inst, volume=volume))
    assert created["config"] == config
    # The wrappers run the image's own interpreter: the instance needs nothing from the host.
    wrapper = run(buildah, container, "cat", f"{inst}/bin/cta-admin", volume=volume)
    assert "exec '/opt/ctaops/bin/python3' '-m' 'ctaops' sim cta-admin" in wrapper

    def pool(name: str) -> list[str]:
        listing = run(
            buildah,
            container,
            "ctaops",
            "admin",
            "-C",
            config,
            "--json",
            "tape",
            "ls",
            "--tapepool",
            name,
            volume=volume,
        )
        return sorted(t["vid"] for t in json.loads(listing))

    before = pool("ctaops_user")
    assert len(before) == 4
    # Ask for one more partial tape than ctaops_user has, so that supply has work to do.
    run(
        buildah,
        container,
        f"{inst}/bin/cta-admin",
        "tapepool",
        "ch",
        "--name",
        "ctaops_user",
        "--partialtapesnumber",
        "5",
        volume=volume,
    )

    plan = json.loads(
        run(buildah, container, "cta-ops-pool-supply", "-C", config, "--dry-run", "--json", volume=volume)
    )
    assert plan["dry_run"] is True
    (move,) = plan["moves"]
    assert (move["from"], move["to"], move["result"]) == ("supply", "ctaops_user", "would")
    assert pool("ctaops_user") == before

    done = json.loads(run(buildah, container, "cta-ops-pool-supply", "-C", config, "--json", volume=volume))
    assert [(m["vid"], m["result"]) for m in done["moves"]] == [(move["vid"], "moved")]
    assert pool("ctaops_user") == sorted([*before, move["vid"]])

    # The host sees what the container wrote: the catalogue change, the log and the metrics.
    host = Path(volume) / "inst"
    host_ls = subprocess.run(
        [str(Path(sys.executable).with_name("ctaops")), "sim", "cta-admin", "--instance", str(host), "--", *LS_USER],
        capture_output=True,
        text=True,
        check=True,
    )
    assert move["vid"] in {t["vid"] for t in json.loads(host_ls.stdout)}
    assert "ctaops_user" in (host / "metrics" / "pool-supply.prom").read_text()
    assert (host / "log" / "cta-ops-pool-supply.log").stat().st_size > 0
    assert (host / "catalogue.db").stat().st_uid != 0  # written as tape-local, not root
