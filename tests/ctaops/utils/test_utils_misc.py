"""ctaops.utils.cmd, dicts, repack and sql helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ctaops.errors import CommandError
from ctaops.utils.cmd import run_cmd
from ctaops.utils.config import load_config
from ctaops.utils.dicts import deep_merge, flatten, get_nested
from ctaops.utils.repack import destination_pool, existing_files_on_tape_path, priorities
from ctaops.utils.sql import database_url

UPSTREAM = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "config" / "upstream-reference.yaml"


def test_run_cmd_argv_env_and_errors() -> None:
    res = run_cmd(
        [sys.executable, "-c", "import os,sys; print(os.environ['X'], sys.argv[1])", "a b; rm -rf /"], env={"X": "1"}
    )
    assert res.ok
    assert res.stdout == "1 a b; rm -rf /\n"
    bad = run_cmd([sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(4)"])
    assert bad.returncode == 4
    assert bad.stderr == "boom\n"
    with pytest.raises(CommandError, match="exit status 4: boom"):
        run_cmd([sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(4)"], check=True)
    with pytest.raises(CommandError, match="command not found"):
        run_cmd(["/nonexistent/cta-admin"])
    with pytest.raises(CommandError, match=r"timed out after 0\.2s"):
        run_cmd([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.2)


def test_dicts() -> None:
    rec = {"vid": "V1", "creationLog": {"username": "u", "time": "1"}}
    assert get_nested(rec, "creationLog.time") == "1"
    assert get_nested(rec, "creationLog.nope", "-") == "-"
    assert flatten(rec) == {"vid": "V1", "creationLog.username": "u", "creationLog.time": "1"}
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}, "d": None}) == {"a": {"b": 3, "c": 2}}


def test_repack_helpers() -> None:
    cfg = load_config(UPSTREAM)
    assert destination_pool("tolabel", "IBM1L8", "LTO7M", cfg) == "tolabel_IBM1L7"
    with pytest.raises(KeyError, match="IBM1L8/LTO9"):
        destination_pool("erase", "IBM1L8", "LTO9", cfg)
    prio = priorities(cfg)
    assert prio[50].mount_policy == "repack_high_priority"
    assert prio[11].default_dst_pool_prefix == "erase"
    tmpl = cfg["tools"]["cta-ops-repack-automation"]["cta-ops-repack-2-start"]["existing_files_on_tape"]
    assert existing_files_on_tape_path(tmpl, "20260305", "V01007").endswith("repack-tapefile-20260305-V01007.txt")


def test_database_url(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"database\.port is not a number"):
        database_url(load_config(UPSTREAM))
    p = tmp_path / "c.yaml"
    p.write_text(
        "tools:\n  cta-ops-repack-automation:\n    database:\n"
        "      {username: repack, password: 'p@ss/w', host: db1, port: 5432, name: cta_repack}\n"
    )
    assert database_url(load_config(p)) == "postgresql://repack:p%40ss%2Fw@db1:5432/cta_repack"
