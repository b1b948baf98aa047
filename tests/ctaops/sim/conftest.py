"""Fixtures of the simulator tests: the newest `ctaops` build and a fresh small instance."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pgcluster import PgCluster

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def sim_exe() -> str:
    """The most recently built native `ctaops` (debug or release)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    found = [p for p in (target / "release" / "ctaops", target / "debug" / "ctaops") if p.exists()]
    if not found:
        pytest.fail(f"native ctaops binary not found under {target} (run `make dev`)")
    return str(max(found, key=lambda p: p.stat().st_mtime))


@dataclass
class Serving:
    """A running ``ctaops sim serve``."""

    proc: subprocess.Popen[str]
    port: int


@contextlib.contextmanager
def sim_serving(
    exe: str,
    inst: Path,
    log: Path,
    listen: str = "127.0.0.1:0",
    *,
    extra: Sequence[str] = (),
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[Serving]:
    """``ctaops sim serve INST [EXTRA…]`` for the block, its log in ``log``; it must exit 0 on SIGTERM.

    ``preexec_fn`` runs in the child before exec (the limit tests lower RLIMIT_NOFILE there).
    """
    with log.open("w") as out:
        proc = subprocess.Popen(
            [exe, "sim", "serve", str(inst), "--listen", listen, *extra],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
            preexec_fn=preexec_fn,  # noqa: PLW1509 - only setrlimit, no threads in the child
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("listening on "), line + log.read_text()
            yield Serving(proc, int(line.rsplit(":", 1)[1]))
        finally:
            proc.terminate()
            code = proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
    assert code == 0, "sim serve exits 0 on SIGTERM: " + log.read_text()


@dataclass
class Sim:
    exe: str
    dir: Path

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.exe, *map(str, args)], capture_output=True, text=True, check=False, timeout=300, env=env
        )

    def admin(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`DIR/bin/cta-admin ARGS` (the wrapper script, as tools run it)."""
        return subprocess.run(
            [str(self.dir / "bin" / "cta-admin"), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env=env,
        )

    def ls(self, *args: str) -> list[dict[str, object]]:
        r = self.admin("--json", *args)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert isinstance(out, list)
        return out

    def ok(self, *args: str | Path) -> dict[str, object]:
        r = self.run(*args)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert isinstance(out, dict)
        return out


_DATABASES = itertools.count(1)


def psql(cluster: PgCluster, dbname: str, sql: str) -> str:
    """Runs `sql` with the cluster's psql in `dbname`; its unaligned output."""
    cmd = [str(cluster.bindir / "psql"), "-qtA", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user]
    r = subprocess.run([*cmd, "-d", dbname, "-c", sql], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def new_database(cluster: PgCluster) -> str:
    """A fresh, empty database on the test cluster; its `postgresql://` URL."""
    name = f"sim{os.getpid()}_{next(_DATABASES)}"
    psql(cluster, "postgres", f"CREATE DATABASE {name}")
    return f"postgresql://{cluster.user}@127.0.0.1:{cluster.port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_args(request: pytest.FixtureRequest) -> list[str]:
    """`sim init` options for each catalogue backend (SQLite default, PostgreSQL on the test cluster)."""
    if request.param == "sqlite":
        return []
    cluster: PgCluster = request.getfixturevalue("postgresql_cluster")
    return ["--catalogue", new_database(cluster)]


@pytest.fixture
def sim(sim_exe: str, tmp_path: Path, catalogue_args: list[str]) -> Sim:
    d = tmp_path / "inst"
    r = subprocess.run([sim_exe, "sim", "init", str(d), *catalogue_args], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return Sim(sim_exe, d)
