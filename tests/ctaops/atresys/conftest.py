"""A simulator instance with full tapes holding real files, and an ATRESYS database on each backend.

The config is the one ``ctaops sim init`` writes (ATRESYS database, outputs, the quarantine and
destination pools and mount policies all set up by init); the tests only change what they are
about: the database backend (the throwaway PostgreSQL cluster), short leases and no quarantine
wait, and the keys a test varies (``rewrite_config``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ctaops.atresys import Store, TapeRow
from ctaops.utils.config import load_yaml
from tests.ctaops.sim.conftest import sim_exe, sim_serving
from tests.pgcluster import PgCluster

SUFFIX = "_LIB1"  # lib_to_pool_map suffix sim init gives ctaops_lib1
QUARANTINE = "quarantine"  # the quarantine pool sim init creates
USER_TAPES = ("V00001", "V00002", "V00003")
__all__ = ["sim_exe"]  # the simulator tests' fixture, shared


def script(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    assert path.exists(), f"{name} is not installed (run `make dev`)"
    return str(path)


@dataclass
class Env:
    """One simulator + one database + the config joining them."""

    sim_exe: str
    sim: Path
    config: Path
    tmp: Path
    store_args: dict[str, Any]
    table: str
    doc: dict[str, Any] = field(default_factory=dict)

    def store(self) -> Store:
        return Store(**self.store_args, table=self.table)

    @property
    def tool(self) -> dict[str, Any]:
        return dict(self.doc["tools"]["cta-ops-repack-automation"])

    @property
    def log_dir(self) -> Path:
        """Where the tapefile listings go (``existing_files_on_tape``'s directory)."""
        return Path(self.tool["cta-ops-repack-2-start"]["existing_files_on_tape"]).parent

    @property
    def end_json(self) -> Path:
        return Path(self.tool["cta-ops-repack-3-end"]["repack-end-json-path"])

    @property
    def ls_out(self) -> Path:
        return Path(self.tool["cta-ops-repack-monitor"]["ls_out"])

    @property
    def prom(self) -> Path:
        return Path(self.tool["cta-ops-repack-monitor"]["prometheus_out"])

    @property
    def outbox(self) -> Path:
        """Where the instance's ``bin/sendmail`` (``global.binaries.sendmail``) files mail."""
        return self.sim / "mail" / "outbox"

    def step(
        self, name: str, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        full = {**os.environ, **(env or {})}
        r = subprocess.run(
            [script(f"cta-ops-repack-{name}"), "-C", str(self.config), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env=full,
        )
        assert "Traceback" not in r.stderr, r.stderr
        if check:
            assert r.returncode == 0, (name, r.returncode, r.stdout, r.stderr)
        return r

    def admin(self, *args: str) -> Any:
        r = subprocess.run(
            [str(self.sim / "bin" / "cta-admin"), "--json", *args], capture_output=True, text=True, check=False
        )
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def admin_ok(self, *args: str) -> None:
        r = subprocess.run([str(self.sim / "bin" / "cta-admin"), *args], capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr

    def tape(self, vid: str) -> dict[str, Any]:
        out = self.admin("tape", "ls", "--vid", vid)
        assert isinstance(out, list)
        return dict(out[0])

    def sim_run(self, *args: str) -> dict[str, Any]:
        r = subprocess.run(
            [self.sim_exe, "sim", "run", str(self.sim), *args], capture_output=True, text=True, check=False
        )
        assert r.returncode in (0, 1), r.stderr
        return dict(json.loads(r.stdout))

    def advance_sim_clock(self) -> None:
        """Move the simulator's clock past CTA's recycle-log quarantine (31 days)."""
        self.sim_run("--for", "1s", "--speed", str(40 * 86400 * 5))

    def rows(self) -> dict[str, TapeRow]:
        return {r.tape: r for r in self.store().list()}

    def rewrite_config(self, **tool: Any) -> None:
        self.doc["tools"]["cta-ops-repack-automation"].update(tool)
        write_yaml(self.config, self.doc)

    def wait_lease(self) -> None:
        """Let the 1-second leases of a killed run expire."""
        time.sleep(2.1)


def write_yaml(path: Path, doc: dict[str, Any]) -> None:
    """JSON is YAML; integer keys (the priorities) are written unquoted so they stay integers."""
    path.write_text(re.sub(r'"(\d+)":', r"\1:", json.dumps(doc)))


def _fill_tapes(sim_exe: str, sim: Path) -> None:
    """Real files on V00001..V00003 (2-3 files each), all three marked full."""
    admin = str(sim / "bin" / "cta-admin")
    for i, vid in enumerate(USER_TAPES):
        subprocess.run(
            [sim_exe, "sim", "archive", str(sim), "--storageclass", "ctaops_sc", "--count", str(2 + i % 2),
             "--size", "300K", "--seed", str(i + 1)],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run([sim_exe, "sim", "run", str(sim), "--until-idle"], check=True, capture_output=True)
        subprocess.run([admin, "tape", "ch", "--vid", vid, "--full", "true"], check=True, capture_output=True)


def pg_database(cluster: PgCluster) -> dict[str, Any]:
    """The ``database`` section for the throwaway cluster."""
    return {
        "backend": "postgresql",
        "host": "127.0.0.1",
        "port": cluster.port,
        "username": cluster.user,
        "password": "",
        "name": "postgres",
    }


@pytest.fixture(scope="session")
def sim_template(sim_exe: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One filled instance, copied for each test (filling takes a few seconds)."""
    d = tmp_path_factory.mktemp("atresys-sim") / "inst"
    subprocess.run([sim_exe, "sim", "init", str(d)], check=True, capture_output=True)
    _fill_tapes(sim_exe, d)
    return d


def _copy_instance(src: Path, dst: Path, sim_exe: str) -> None:
    """Copy the instance and point its wrappers and configs at the new place."""
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    for f in [
        *(dst / "bin").iterdir(),
        *(dst / "library").glob("*.json"),
        dst / "cta-ops-config.yaml",
        dst / "cta-cli.conf",
    ]:
        f.write_text(f.read_text().replace(str(src), str(dst)))


def _make_env(backend: str, request: pytest.FixtureRequest, tmp_path: Path, sim_template: Path, sim_exe: str) -> Env:
    sim = tmp_path / "inst"
    _copy_instance(sim_template, sim, sim_exe)
    config = sim / "cta-ops-config.yaml"
    doc: dict[str, Any] = load_yaml(config)
    tool = doc["tools"]["cta-ops-repack-automation"]
    if backend == "sqlite":
        table = tool["database"]["repack_table_name"]
        store_args: dict[str, Any] = {"sqlite_path": tool["database"]["path"]}
    else:
        # Tests share the cluster: a table of their own in it.
        cluster: PgCluster = request.getfixturevalue("postgresql_cluster")
        table = "RS_" + uuid.uuid4().hex[:10].upper()
        tool["database"] = {**pg_database(cluster), "repack_table_name": table}
        store_args = {"pg_host": "127.0.0.1", "pg_port": cluster.port, "pg_user": cluster.user, "pg_dbname": "postgres"}
    # Test speed: no 31-day quarantine wait, and leases of killed runs expire in a second.
    tool.update(quarantine_days=0, lease_seconds=1)
    write_yaml(config, doc)
    e = Env(sim_exe, sim, config, tmp_path, store_args, table, doc)
    e.store().upgrade()
    return e


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path: Path, sim_template: Path, sim_exe: str) -> Env:
    return _make_env(request.param, request, tmp_path, sim_template, sim_exe)


@pytest.fixture
def grpc_env(request: pytest.FixtureRequest, tmp_path: Path, sim_template: Path, sim_exe: str) -> Iterator[Env]:
    """The SQLite environment with the steps talking to ``sim serve`` over gRPC, chosen by the ops
    config (``global.tape.cta-admin_transport: grpc``); the ``cta-admin`` binary the config names
    does not exist, so nothing can reach the simulator another way."""
    e = _make_env("sqlite", request, tmp_path, sim_template, sim_exe)
    with sim_serving(sim_exe, e.sim, tmp_path / "serve.log"):
        e.doc["global"]["binaries"]["cta-admin"] = str(tmp_path / "no-such-cta-admin")
        e.doc["global"]["tape"]["cta-admin_config"] = str(e.sim / "cta-cli.conf")
        e.doc["global"]["tape"]["cta-admin_transport"] = "grpc"
        write_yaml(e.config, e.doc)
        yield e
