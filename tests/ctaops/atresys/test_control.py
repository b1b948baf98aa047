"""Issue 17: operators keep control of tapes a step is working on (item 7), and every step checks
the database's schema before it does anything (item 8).

The take-over tests run a step against a ``cta-admin`` that stops on a chosen read of a chosen
tape until the test has acted (``mode … manual``, ``rm --force`` through the real
``cta-ops-repack-manager``), so the operator's change lands between the step's claim and its next
state-changing call, as in the field report.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ctaops.atresys.conftest import USER_TAPES, Env, script
from tests.ctaops.atresys.test_step import ORDER, run_before
from tests.pgcluster import PgCluster, _bindir

STEPS = (*ORDER, "monitor")
NEWER_SCHEMA = """INSERT INTO "{t}_schema" (version, applied) VALUES (7, '2030-01-01 00:00:00')"""
DROP_CLAIMS = 'DROP TABLE "{t}_claims"'
BAD_TIME = """UPDATE "{t}" SET entered = 'last tuesday' WHERE tape = ?"""


def manager(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        [str(Path(sys.executable).with_name("cta-ops-repack-manager")), "-C", str(env.config), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, (args, p.stderr)
    return p


def gated_admin(env: Env, gate: str, vids: tuple[str, ...]) -> tuple[Path, Path]:
    """A cta-admin that logs every call and, on the call containing ``gate`` for one of ``vids``,
    writes ``reached-<vid>`` and waits for ``go-<vid>`` (at most 60 s) before answering."""
    log, gates = env.tmp / "calls.log", env.tmp / "gates"
    gates.mkdir()
    real = env.sim / "bin" / "cta-admin"
    cases = "\n".join(
        f"""  *"{gate} --vid {v}"*) touch '{gates}/reached-{v}'; i=0
    while [ ! -e '{gates}/go-{v}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done ;;"""
        for v in vids
    )
    wrapper = env.tmp / "gated-cta-admin"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> \'{log}\'\ncase "$*" in\n{cases}\nesac\nexec \'{real}\' "$@"\n')
    wrapper.chmod(0o755)
    env.doc["global"]["binaries"]["cta-admin"] = str(wrapper)
    env.rewrite_config(lease_seconds=600)
    return log, gates


def run_with_operator(env: Env, name: str, gates: Path, actions: dict[str, tuple[str, ...]], *, status: int = 0) -> Any:
    """Run step ``name``; when it reaches the gate of a tape, run that tape's manager command, then let it go on."""
    proc = subprocess.Popen(
        [script(f"cta-ops-repack-{name}"), "-C", str(env.config), "-j"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pending = dict(actions)
    said: dict[str, str] = {}
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline and proc.poll() is None:
        for vid in [v for v in pending if (gates / f"reached-{v}").exists()]:
            said[vid] = manager(env, *pending.pop(vid)).stderr
            (gates / f"go-{vid}").touch()
        time.sleep(0.05)
    out, err = proc.communicate(timeout=120)
    assert not pending, ("the step never reached", pending, out, err)
    assert "Traceback" not in err, err
    assert proc.returncode == status, (proc.returncode, out, err)
    return {r["tape"]: {**r, "manager_stderr": said.get(r["tape"], "")} for r in json.loads(out)}


def test_reclaim_leaves_tapes_an_operator_took_over_or_removed(env: Env) -> None:
    run_before(env, "5-reclaim")
    take, drop, keep = USER_TAPES
    log, gates = gated_admin(env, "tapefile ls", (take, drop))
    got = run_with_operator(
        env,
        "5-reclaim",
        gates,
        {
            take: ("mode", take, "manual", "--reason", "checking the cartridge"),
            drop: ("rm", drop, "--force", "--reason", "wrong tape entered"),
        },
    )
    calls = log.read_text().splitlines()
    sent = [c.split("tape reclaim ", 1)[1] for c in calls if "tape reclaim " in c]
    assert sent == [f"--vid {keep}"], calls
    assert got[take]["action"] == "taken-over", got
    assert "set to mode manual" in got[take]["reason"]
    assert "checking the cartridge" in got[take]["reason"]
    assert got[take]["not_run"] == f"tape reclaim --vid {take}"
    assert got[drop]["action"] == "removed", got
    assert "wrong tape entered" in got[drop]["reason"]
    assert got[drop]["not_run"] == f"tape reclaim --vid {drop}"
    assert got[keep]["action"] == "reclaimed"
    # the operator was told a run held the tape, and what that means
    for vid in (take, drop):
        assert "cta-ops-repack-5-reclaim@" in got[vid]["manager_stderr"], got[vid]
        assert "sends no further one" in got[vid]["manager_stderr"]
    # CTA: both still full; the table: the operator's mode stands, the claim is given back
    assert env.tape(take)["full"]
    assert env.tape(drop)["full"]
    row = env.rows()[take]
    assert (row.state, row.mode) == ("quarantined", "manual")
    assert [h.action for h in env.store().history(take)][-1] == "mode"
    manager(env, "mode", take, "auto", "--reason", "done checking")
    assert "reclaimed" in env.step("5-reclaim").stdout


def test_start_stops_between_its_calls_when_taken_over(env: Env) -> None:
    """The take-over lands after ``tape ch`` and before ``repack add``: the report says which call
    was made and which was not, and nothing more is sent."""
    run_before(env, "2-start")
    vid = USER_TAPES[0]
    log, gates = gated_admin(env, "tapefile ls", (vid,))
    got = run_with_operator(env, "2-start", gates, {vid: ("mode", vid, "manual", "--reason", "hold on")})
    assert got[vid]["action"] == "taken-over", got
    assert got[vid]["already_run"] == f"tape ch --vid {vid} --state REPACKING --full true"
    assert got[vid]["not_run"].startswith(f"repack add --vid {vid}")
    assert not any("repack add" in c and vid in c for c in log.read_text().splitlines())
    assert env.rows()[vid].state == "entered"
    assert all(r["vid"] != vid for r in env.admin("repack", "ls"))


def test_an_error_does_not_override_an_operator(env: Env) -> None:
    """A CTA error after the take-over does not put the operator's tape in ``error`` mode."""
    run_before(env, "5-reclaim")
    vid = USER_TAPES[0]
    _, gates = gated_admin(env, "tapefile ls", (vid,))
    # CTA refuses the reclaim of a tape that is not in the quarantine pool: an error for this tape
    env.admin_ok("tape", "ch", "--vid", vid, "--tapepool", "ctaops_user")
    got = run_with_operator(env, "5-reclaim", gates, {}, status=1)  # the pool check fails before the gate
    assert got[vid]["action"] == "error"
    manager(env, "mode", vid, "auto", "--reason", "retry")
    (gates / f"go-{vid}").unlink(missing_ok=True)
    # now the error comes after the operator's take-over: their mode stands
    env.admin_ok("tape", "ch", "--vid", vid, "--tapepool", "quarantine")
    env.admin_ok("tape", "ch", "--vid", vid, "--full", "false")  # not full, last fSeq set: a TapeError
    got = run_with_operator(env, "5-reclaim", gates, {vid: ("mode", vid, "manual", "--reason", "mine now")})
    assert got[vid]["action"] == "taken-over", got
    assert "error" in got[vid]
    assert env.rows()[vid].mode == "manual"


def _sql(env: Env, request: pytest.FixtureRequest, sql: str) -> None:
    if "sqlite_path" in env.store_args:
        with sqlite3.connect(env.store_args["sqlite_path"]) as c:
            c.executescript(sql)
    else:
        cluster: PgCluster = request.getfixturevalue("postgresql_cluster")
        subprocess.run(
            [str(_bindir() / "psql"), "-v", "ON_ERROR_STOP=1", "-q", cluster.dsn, "-c", sql],
            check=True,
            capture_output=True,
        )


@pytest.mark.parametrize("damage", ["newer", "missing"])
def test_every_step_checks_the_schema_first(env: Env, request: pytest.FixtureRequest, damage: str) -> None:
    env.step("1-prepare")
    if damage == "newer":
        _sql(env, request, NEWER_SCHEMA.format(t=env.table))
        expected = "schema version 7, newer than this ctaops (schema version 1)"
    else:
        _sql(env, request, DROP_CLAIMS.format(t=env.table))
        expected = f'has no table "{env.table}_claims"'
    log, _ = gated_admin(env, "-", ())
    before = env.store().history(USER_TAPES[0])
    for name in STEPS:
        r = env.step(name, check=False)
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
        assert len(errors) == 1, (name, r.stderr)
        assert expected in errors[0], (name, r.stderr)
    assert not log.exists() or log.read_text() == "", "a step asked CTA before checking the schema"
    assert env.store().history(USER_TAPES[0]) == before


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
def test_monitor_reports_a_malformed_row_and_the_rest(env: Env) -> None:
    env.step("1-prepare")
    bad = USER_TAPES[1]
    with sqlite3.connect(env.store_args["sqlite_path"]) as c:
        c.execute(BAD_TIME.format(t=env.table), (bad,))
    r = env.step("monitor", "-j", check=False)
    assert r.returncode == 1, r.stderr
    assert [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")] == [
        f"error: row {bad} of the repack table is malformed: column entered: "
        '"last tuesday" is not a YYYY-MM-DD HH:MM:SS time'
    ]
    assert sorted(d["tape"] for d in json.loads(r.stdout)) == sorted(set(USER_TAPES) - {bad})
    assert "ctaops_repack_malformed_rows 1" in env.prom.read_text()
    assert len(env.ls_out.read_text().splitlines()) == len(USER_TAPES) - 1
    # the steps leave the bad row alone and work on the others
    env.step("2-start")
    assert sorted(r.state for r in env.rows().values()) == ["started", "started"]


def test_a_partial_line_left_by_a_killed_run_is_not_glued_to_the_next(env: Env) -> None:
    run_before(env, "3-end")
    for path in (env.end_json, env.ls_out):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"tape": "V000')  # what a kill in the middle of a write leaves
    env.step("3-end")
    env.step("monitor")
    for path in (env.end_json, env.ls_out):
        lines = path.read_text().splitlines()
        assert lines[0] == '{"tape": "V000'
        assert sorted(json.loads(ln)["tape"] for ln in lines[1:]) == sorted(USER_TAPES), path
