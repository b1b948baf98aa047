"""Issue 17, item 11: no error or log line of any tool shows a PostgreSQL password.

A password is planted in every place one is given (URL user info, ``?password=``, libpq
key=value strings, the ATRESYS database section, a config value of the wrong type) and every
error path reachable from the command line is driven; stdout, stderr and every file the tools
wrote are searched for it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ctaops.drivetools import tool
from tests.pgcluster import PgCluster

PW = "Pl4nted-s3cret"
SCRIPTS = (
    "cta-ops-repack-monitor",
    "cta-ops-repack-1-prepare",
    "cta-ops-tape-alerting",
    "cta-ops-drive-environmentals",
)


def _leaks(r: subprocess.CompletedProcess[str], *dirs: Path) -> list[str]:
    found = [name for name, text in (("stdout", r.stdout), ("stderr", r.stderr)) if PW in text]
    for d in dirs:
        found += [str(p) for p in d.rglob("*") if p.is_file() and PW.encode() in p.read_bytes()]
    return found


def _config(tmp: Path, name: str, database: Any) -> Path:
    """A config whose ATRESYS database section is ``database``; logs and outputs under ``tmp``."""
    doc = {
        "global": {"logging": {"log_dir": str(tmp / "log")}},
        "tools": {
            "cta-ops-repack-automation": {
                "database": database,
                "cta-ops-repack-monitor": {"ls_out": str(tmp / "out" / "ls.json")},
            }
        },
    }
    path = tmp / name
    path.write_text(json.dumps(doc))  # JSON is YAML
    return path


def _native(exe: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False, timeout=120)


def _assert_masked(r: subprocess.CompletedProcess[str], *dirs: Path) -> None:
    assert r.returncode != 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.strip(), "an error path must say something"
    assert _leaks(r, *dirs) == [], r.stdout + r.stderr


BAD_TYPES = {
    "url-as-section": f"postgresql://cta:{PW}@db.example:5432/cta",
    "query-as-section": f"postgresql://db.example/cta?user=cta&password={PW}",
    "dsn-as-section": f"host=db.example user=cta password={PW} dbname=cta",
}


@pytest.mark.parametrize("case", sorted(BAD_TYPES))
def test_config_type_errors_mask_the_password(ctaops_native: str, tmp_path: Path, case: str) -> None:
    cfg = _config(tmp_path, "c.yaml", BAD_TYPES[case])
    for args in (("config", "check", "-C", str(cfg)), ("repack-manager", "-C", str(cfg), "check-env")):
        r = _native(ctaops_native, *args)
        _assert_masked(r, tmp_path / "log")
        assert "cta-ops-repack-automation.database" in r.stderr
    for script in SCRIPTS:
        r = tool(script, "-C", cfg)
        _assert_masked(r, tmp_path / "log")


def test_unreachable_state_database_masks_the_password(ctaops_native: str, tmp_path: Path) -> None:
    db = {"backend": "postgresql", "host": "127.0.0.1", "port": 1, "username": "cta", "password": PW, "name": "cta"}
    cfg = _config(tmp_path, "c.yaml", db)
    for args in (("-vv", "repack-manager", "-C", str(cfg), "check-env"), ("repack-manager", "-C", str(cfg), "ls")):
        _assert_masked(_native(ctaops_native, *args), tmp_path / "log")
    _assert_masked(tool("cta-ops-repack-monitor", "-V", "-C", cfg), tmp_path / "log", tmp_path / "out")


def test_wrong_credentials_against_a_real_server_mask_the_password(
    ctaops_native: str, tmp_path: Path, postgresql_cluster: PgCluster
) -> None:
    port = postgresql_cluster.port
    db = {
        "backend": "postgresql",
        "host": "127.0.0.1",
        "port": port,
        "username": "no_such_role",
        "password": PW,
        "name": "postgres",
    }
    cfg = _config(tmp_path, "c.yaml", db)
    _assert_masked(_native(ctaops_native, "-vv", "repack-manager", "-C", str(cfg), "ls"), tmp_path / "log")
    _assert_masked(tool("cta-ops-repack-monitor", "-V", "-C", cfg), tmp_path / "log", tmp_path / "out")
    for i, url in enumerate(
        [
            f"postgresql://no_such_role:{PW}@127.0.0.1:{port}/postgres",
            f"postgresql://127.0.0.1:{port}/postgres?user=no_such_role&password={PW}",
            f"host=127.0.0.1 port={port} user=no_such_role password='{PW} and more'",
        ]
    ):
        inst = tmp_path / f"inst{i}"
        for log in ([], ["--log-json"]):
            r = _native(ctaops_native, "-vvv", *log, "sim", "init", str(inst), "--catalogue", url)
            _assert_masked(r, inst)


CATALOGUES = {
    "not-a-url": f"host=127.0.0.1 password={PW}",
    "query-unreachable": f"postgresql://127.0.0.1:1/db?password={PW}",
    "userinfo-unreachable": f"postgresql://u:{PW}@127.0.0.1:1/db",
    "malformed-port": f"postgresql://u:{PW}@127.0.0.1:notaport/db",
    "malformed-no-host": f"postgresql://u:{PW}",
    "at-in-password": f"postgresql://u:{PW}@x@127.0.0.1:1/db",
}


@pytest.mark.parametrize("case", sorted(CATALOGUES))
def test_sim_catalogue_urls_are_masked(ctaops_native: str, tmp_path: Path, case: str) -> None:
    inst = tmp_path / "inst"
    r = _native(ctaops_native, "-vv", "sim", "init", str(inst), "--catalogue", CATALOGUES[case])
    _assert_masked(r, tmp_path)
    assert len(r.stderr.strip().splitlines()) >= 1
