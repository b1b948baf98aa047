"""The PostgreSQL catalogue: where the instance keeps it, and `sim init --catalogue` on bad input.

Every other simulator test runs on both backends through the parametrized `sim` fixture.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from tests.ctaops.sim.conftest import Sim, new_database
from tests.ctaops.sim.conftest import psql as run_psql
from tests.pgcluster import PgCluster


def psql(cluster: PgCluster, url: str, sql: str) -> str:
    return run_psql(cluster, url.rsplit("/", 1)[1], sql)


def init(sim_exe: str, d: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sim_exe, "sim", "init", str(d), *args], capture_output=True, text=True, check=False)


def test_instance_remembers_its_catalogue(sim_exe: str, tmp_path: Path, postgresql_cluster: PgCluster) -> None:
    url = new_database(postgresql_cluster)
    d = tmp_path / "inst"
    r = init(sim_exe, d, "--catalogue", url)
    assert r.returncode == 0, r.stderr
    assert not (d / "catalogue.db").exists()
    kept = d / "catalogue.url"
    assert kept.read_text().strip() == url
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    sim = Sim(sim_exe, d)
    # The catalogue really is in PostgreSQL: what cta-admin lists is what the server holds.
    tapes = sim.ls("tape", "ls", "--all")
    assert len(tapes) == int(psql(postgresql_cluster, url, "SELECT COUNT(*) FROM TAPE"))
    assert psql(postgresql_cluster, url, "SELECT SCHEMA_VERSION_MAJOR FROM CTA_CATALOGUE") == "15"
    sim.ok("sim", "archive", d, "--storageclass", "ctaops_sc", "--count", "3", "--size", "4096")
    sim.ok("sim", "run", d, "--until-idle")
    assert psql(postgresql_cluster, url, "SELECT COUNT(*) FROM TAPE_FILE") == "3"
    assert sum(int(str(t["lastFseq"])) for t in sim.ls("tape", "ls", "--all")) == 3


def test_unreachable_server_leaves_nothing(sim_exe: str, tmp_path: Path) -> None:
    d = tmp_path / "inst"
    r = init(sim_exe, d, "--catalogue", "postgresql://nobody@127.0.0.1:1/none")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1, r.stderr
    assert "cannot connect to postgresql://nobody@127.0.0.1:1/none" in r.stderr
    assert "Traceback" not in r.stderr
    assert "panicked" not in r.stderr
    assert not d.exists()


def test_password_is_not_echoed(sim_exe: str, tmp_path: Path) -> None:
    r = init(sim_exe, tmp_path / "inst", "--catalogue", "postgresql://u:s3cret@127.0.0.1:1/none")
    assert r.returncode == 1
    assert "s3cret" not in r.stderr
    assert "u:***@127.0.0.1:1" in r.stderr


def test_not_a_postgresql_url(sim_exe: str, tmp_path: Path) -> None:
    for bad in ["mysql://x/y", "catalogue.db", "postgresql://127.0.0.1:notaport/x"]:
        d = tmp_path / "inst"
        r = init(sim_exe, d, "--catalogue", bad)
        assert r.returncode != 0, bad
        assert r.stderr.count("\n") == 1, r.stderr
        assert r.stderr.startswith("error: "), r.stderr
        assert not d.exists(), bad


def test_existing_directory_is_kept_but_left_empty(sim_exe: str, tmp_path: Path) -> None:
    d = tmp_path / "inst"
    d.mkdir()
    r = init(sim_exe, d, "--catalogue", "postgresql://nobody@127.0.0.1:1/none")
    assert r.returncode == 1
    assert list(d.iterdir()) == []


def test_database_already_holding_a_catalogue(sim_exe: str, tmp_path: Path, postgresql_cluster: PgCluster) -> None:
    url = new_database(postgresql_cluster)
    assert init(sim_exe, tmp_path / "first", "--catalogue", url).returncode == 0
    before = psql(postgresql_cluster, url, "SELECT COUNT(*) FROM TAPE")
    r = init(sim_exe, tmp_path / "second", "--catalogue", url)
    assert r.returncode == 1
    assert "already holds a CTA catalogue" in r.stderr
    assert r.stderr.count("\n") == 1
    assert not (tmp_path / "second").exists()
    (tmp_path / "third").mkdir()
    assert init(sim_exe, tmp_path / "third", "--catalogue", url).returncode == 1
    assert list((tmp_path / "third").iterdir()) == []
    # The first instance's catalogue is untouched and still works.
    assert psql(postgresql_cluster, url, "SELECT COUNT(*) FROM TAPE") == before
    assert len(Sim(sim_exe, tmp_path / "first").ls("tape", "ls", "--all")) == int(before)


def test_server_gone_after_init(sim_exe: str, tmp_path: Path, postgresql_cluster: PgCluster) -> None:
    url = new_database(postgresql_cluster)
    d = tmp_path / "inst"
    assert init(sim_exe, d, "--catalogue", url).returncode == 0
    (d / "catalogue.url").write_text("postgresql://nobody@127.0.0.1:1/none\n")
    r = Sim(sim_exe, d).admin("--json", "tape", "ls", "--all")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1
    assert "cannot connect" in r.stderr
