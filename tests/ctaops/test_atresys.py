"""ATRESYS store and ``cta-ops-repack-manager``: one suite, run on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from ctaops.atresys import Store
from ctaops.atresys.store import MAX_REASON_LEN
from ctaops.errors import (
    AtresysSchemaError,
    AtresysTransitionError,
    AtresysUnknownTapeError,
    AtresysUnreachableError,
    InvalidArgumentError,
)
from tests.ctaops.atresys.conftest import pg_database
from tests.ctaops.test_admin import sample
from tests.pgcluster import PgCluster, _bindir

HERE = Path(__file__).resolve().parent
UPSTREAM_DDL = """
CREATE TABLE "{t}" (
  tape varchar(20) NOT NULL, entered timestamp(0) NOT NULL, started timestamp(0), repacked timestamp(0),
  quarantined timestamp(0), reclaimed timestamp(0), finished timestamp(0), files bigint NOT NULL,
  bytes bigint NOT NULL, usage smallint NOT NULL, last_write_date timestamp(0), mode {mode} NOT NULL,
  priority smallint NOT NULL, mediatype varchar(20) NOT NULL, tapepool varchar(20) NOT NULL,
  responsible varchar(40) NOT NULL, CONSTRAINT {t}_pkey PRIMARY KEY (tape));
INSERT INTO "{t}" VALUES ('U00001', '2024-03-01 10:00:00', '2024-03-02 10:00:00', NULL, NULL, NULL, NULL,
  5, 500, 12, NULL, 'manual', 50, 'LTO8', 'r_pool', 'ops');
"""


@dataclass
class Db:
    """One backend with a fresh table: the config file for the CLI and the Store arguments."""

    kind: str
    table: str
    config: Path
    store_args: dict[str, Any]
    cluster: PgCluster | None

    def store(self) -> Store:
        return Store(**self.store_args, table=self.table)

    def sql(self, script: str) -> None:
        """Run SQL with the backend's own client (no psycopg2 anywhere)."""
        if self.cluster is None:
            with sqlite3.connect(self.store_args["sqlite_path"]) as c:
                c.executescript(script)
        else:
            psql = str(_bindir() / "psql")
            subprocess.run(
                [psql, "-v", "ON_ERROR_STOP=1", "-q", self.cluster.dsn, "-c", script], check=True, capture_output=True
            )


def write_config(path: Path, db_section: dict[str, Any], cta_admin: str, scenario: Path) -> None:
    doc = {
        "global": {
            "binaries": {"cta-admin": cta_admin},
            "tape": {"cta-admin_config": str(scenario), "lib_to_pool_map": {"IBM1L8": {"LTO8": "_IBM1L8"}}},
        },
        "tools": {"cta-ops-repack-automation": {"database": db_section}},
    }
    path.write_text(json.dumps(doc))  # JSON is YAML


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Db:
    table = "RS_" + uuid.uuid4().hex[:10].upper()
    scenario = tmp_path / "scenario.json"
    scenario.write_text("{}")
    cta_admin = str(HERE / "fake_cta_admin_multi.py")
    if request.param == "sqlite":
        path = tmp_path / "atresys.sqlite"
        section: dict[str, Any] = {"backend": "sqlite", "path": str(path), "repack_table_name": table}
        args: dict[str, Any] = {"sqlite_path": str(path)}
        cluster = None
    else:
        cluster = request.getfixturevalue("postgresql_cluster")
        section = {**pg_database(cluster), "repack_table_name": table}
        args = {"pg_host": "127.0.0.1", "pg_port": cluster.port, "pg_user": cluster.user, "pg_dbname": "postgres"}
    config = tmp_path / "cta-ops-config.yaml"
    write_config(config, section, cta_admin, scenario)
    return Db(request.param, table, config, args, cluster)


@pytest.fixture(scope="session")
def manager() -> str:
    script = Path(sys.executable).with_name("cta-ops-repack-manager")
    assert script.exists(), "cta-ops-repack-manager is not installed (run `make dev`)"
    return str(script)


def run(manager: str, db: Db, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [manager, "-C", str(db.config), *args], check=False, capture_output=True, text=True, timeout=120
    )


def one_line_error(p: subprocess.CompletedProcess[str]) -> str:
    lines = p.stderr.strip().splitlines()
    assert "Traceback" not in p.stderr
    assert lines, "no error message"
    assert lines[0].startswith("error: ")
    return lines[0]


def add(store: Store, vid: str, **kw: Any) -> bool:
    return store.add(vid, tapepool=kw.pop("tapepool", "p1"), mediatype="LTO8", usage=20, reason="test", **kw)


# --- store API ------------------------------------------------------------------------------


def test_schema_upgrade_keeps_existing_upstream_table(db: Db) -> None:
    mode = "text" if db.kind == "sqlite" else "automation_modes"
    if db.kind == "postgresql":
        db.sql(
            "DO $$ BEGIN CREATE TYPE automation_modes AS ENUM ('auto','manual','error'); "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        )
    db.sql(UPSTREAM_DDL.format(t=db.table, mode=mode))
    s = db.store()
    assert s.schema_version() == 0
    assert s.upgrade() == (0, 1)
    assert s.upgrade() == (1, 1)
    row = s.get("U00001")
    assert row is not None
    assert (row.state, row.mode, row.priority, row.entered) == ("started", "manual", 50, "2024-03-01 10:00:00")
    assert s.set_mode("U00001", "auto", reason="take over")
    assert s.advance("U00001", "repacked", reason="done")
    assert [h.action for h in s.history("U00001")] == ["mode", "advance"]


def test_transition_applied_twice_is_a_no_op(db: Db) -> None:
    s = db.store()
    s.upgrade()
    assert add(s, "T00001")
    assert not add(s, "T00001")
    assert s.advance("T00001", "started", reason="r")
    assert not s.advance("T00001", "started", reason="r")
    assert not s.advance("T00001", "entered", reason="r")
    with pytest.raises(AtresysTransitionError):
        s.advance("T00001", "reclaimed", reason="r")
    with pytest.raises(AtresysUnknownTapeError):
        s.advance("NOPE", "started", reason="r")
    hist = s.history("T00001")
    assert [(h.action, h.from_value, h.to_value) for h in hist] == [
        ("add", None, "entered"),
        ("advance", "entered", "started"),
    ]


CLAIMER = """
import json, sys
from ctaops.atresys import Store
args = json.loads(sys.argv[1])
s = Store(**args["store"], table=args["table"])
mine = []
while True:
    got = s.claim("start", "entered", 5, lease_seconds=600, who=sys.argv[2])
    if not got:
        break
    mine += [r.tape for r in got]
print(json.dumps(mine))
"""


def test_concurrent_claimers_never_share_a_tape(db: Db) -> None:
    s = db.store()
    s.upgrade()
    for i in range(120):
        add(s, f"C{i:05d}", priority=50 if i % 3 else 10)
    s.set_mode("C00000", "manual", reason="hands off")
    arg = json.dumps({"store": db.store_args, "table": db.table})
    procs = [
        subprocess.Popen([sys.executable, "-c", CLAIMER, arg, f"w{i}"], stdout=subprocess.PIPE, text=True)
        for i in range(4)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    claimed = [t for r in results for t in r]
    assert len(claimed) == len(set(claimed)), "a tape was claimed by two runs"
    assert set(claimed) == {f"C{i:05d}" for i in range(1, 120)}


CRASHER = """
import json, sys
from ctaops.atresys import Store
args = json.loads(sys.argv[1])
s = Store(**args["store"], table=args["table"])
print("ready", flush=True)
i = 0
while True:
    vid = f"{sys.argv[2]}{i:04d}"  # CTA VIDs: 6 characters at most
    s.add(vid, tapepool="p", mediatype="LTO8", reason="crash test")
    s.advance(vid, "started", reason="crash test")
    s.set_mode(vid, "error", reason="crash test")
    i += 1
"""


def test_kill_9_mid_transaction_leaves_consistent_state(db: Db) -> None:
    s = db.store()
    s.upgrade()
    arg = json.dumps({"store": db.store_args, "table": db.table})
    for n, delay in enumerate((0.3, 0.55, 0.8)):
        p = subprocess.Popen([sys.executable, "-c", CRASHER, arg, f"K{n}"], stdout=subprocess.PIPE, text=True)
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        p.stdout.close()
        # Each change and its history row are one transaction: either both are there or neither.
        rows = {r.tape: r for r in s.list()}
        assert rows, "the writer made no progress"
        for vid, row in rows.items():
            actions = [h.action for h in s.history(vid)]
            assert actions.count("add") == 1
            expected = (
                ["add"] + (["advance"] if row.state == "started" else []) + (["mode"] if row.mode == "error" else [])
            )
            assert actions == expected, (vid, row, actions)
        # The next round writes fresh VIDs; clear the table so only its rows are checked.
        for vid in rows:
            s.remove(vid, reason="next round")


def test_unreachable_database_is_an_error() -> None:
    with pytest.raises(AtresysUnreachableError):
        Store(pg_host="127.0.0.1", pg_port=1, pg_user="x", pg_dbname="x")


# --- cta-ops-repack-manager -----------------------------------------------------------------


def test_manager_subcommands(db: Db, manager: str) -> None:
    p = run(manager, db, "ls")
    assert p.returncode == 1
    assert "db upgrade" in one_line_error(p)
    assert run(manager, db, "db", "upgrade", "--dry-run").returncode == 0
    assert db.store().schema_version() == 0, "--dry-run changed the schema"
    p = run(manager, db, "db", "upgrade")
    assert p.returncode == 0, p.stderr
    assert "from version 0 to 1" in p.stdout
    p = run(manager, db, "-j", "add", "V00001", "V00002", "--tapepool", "r_pool", "--mediatype", "LTO8", "-p", "50")
    assert p.returncode == 0, p.stderr
    assert [r["result"] for r in json.loads(p.stdout)] == ["added", "added"]
    run(manager, db, "add", "V00003", "--tapepool", "other", "--mediatype", "LTO8", "--mode", "manual")

    p = run(manager, db, "ls")
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["tape", "state", "since", "mode", "priority", "tapepool", "usage"]
    assert [ln.split()[0] for ln in lines[1:]] == ["V00001", "V00002", "V00003"]
    p = run(manager, db, "ls", "--extended")
    assert "responsible" in p.stdout.splitlines()[0]
    rows = json.loads(run(manager, db, "-j", "ls", "--mode", "manual").stdout)
    assert [(r["tape"], r["state"], r["mode"]) for r in rows] == [("V00003", "entered", "manual")]
    assert [r["tape"] for r in json.loads(run(manager, db, "-j", "ls", "--tapepool", "other").stdout)] == ["V00003"]
    assert json.loads(run(manager, db, "-j", "ls", "--state", "started").stdout) == []

    p = run(manager, db, "mode", "V00001", "manual", "--reason", "operator looks at it")
    assert p.returncode == 0, p.stderr
    assert "auto -> manual" in p.stdout
    p = run(manager, db, "-j", "priority", "V00001", "11")
    assert json.loads(p.stdout) == {"tape": "V00001", "priority": "11", "previous": "50", "result": "changed"}
    p = run(manager, db, "priority", "V00001", "10", "--dry-run")
    assert "priority 11 -> 10 (dry run)" in p.stdout, "a dry run shows the value asked for"
    p = run(manager, db, "-j", "mode", "V00001", "auto", "--reason", "x", "--dry-run")
    assert json.loads(p.stdout) == {"tape": "V00001", "mode": "auto", "previous": "manual", "result": "dry run"}
    assert db.store().get("V00001").priority == 11  # type: ignore[union-attr]
    assert db.store().get("V00001").mode == "manual"  # type: ignore[union-attr]

    hist = json.loads(run(manager, db, "-j", "history", "V00001").stdout)
    assert [(h["action"], h["to_value"]) for h in hist] == [("add", "entered"), ("mode", "manual"), ("priority", "11")]
    assert hist[1]["reason"] == "operator looks at it"
    p = run(manager, db, "history", "V00001")
    # The table's headers are the --json keys.
    header = p.stdout.splitlines()[0].split()
    assert header == ["at", "actor", "action", "from_value", "to_value", "reason"]
    assert set(header) <= set(hist[0])

    # rm refuses a tape whose repack is in flight, unless forced; --dry-run changes nothing.
    db.store().advance("V00002", "started", reason="test")
    p = run(manager, db, "rm", "V00002")
    assert p.returncode == 1
    assert "refusing" in one_line_error(p)
    assert run(manager, db, "rm", "V00002", "--force", "--dry-run").returncode == 0
    assert db.store().get("V00002") is not None
    assert run(manager, db, "rm", "V00002", "--force").returncode == 0
    assert db.store().get("V00002") is None
    assert [h.action for h in db.store().history("V00002")][-1] == "remove"


def test_manager_bad_input(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    run(manager, db, "add", "V00001", "--tapepool", "p", "--mediatype", "LTO8")
    cases = [
        (("mode", "NOPE01", "auto", "--reason", "x"), 1, "not in the repack table"),
        (("rm", "NOPE01"), 1, "not in the repack table"),
        (("history", "NOPE01"), 1, "not in the repack table"),
        (("mode", "V00001", "sideways", "--reason", "x"), 2, "bad mode"),
        (("mode", "V00001", "auto"), 2, "required arguments"),
        (("priority", "V00001", "high"), 2, "invalid value"),
        (("priority", "V00001", "7"), 2, "bad priority 7"),
        (("add", "bad'vid", "--tapepool", "p", "--mediatype", "LTO8"), 2, "bad VID"),
        (("add", "V00009", "--mode", "error", "--tapepool", "p", "--mediatype", "x"), 2, "auto or manual"),
        (("add", "V00009", "--tapepool", "p"), 2, "go together"),
    ]
    for args, code, text in cases:
        p = run(manager, db, *args)
        assert p.returncode == code, (args, p.stderr)
        assert text in one_line_error(p), (args, p.stderr)
    assert [r.tape for r in db.store().list()] == ["V00001"]


def test_manager_unreachable_database(tmp_path: Path, manager: str) -> None:
    cfg = tmp_path / "c.yaml"
    section = {"backend": "postgresql", "host": "127.0.0.1", "port": 1, "username": "u", "name": "d"}
    write_config(cfg, section, "cta-admin", tmp_path / "s.json")
    p = subprocess.run([manager, "-C", str(cfg), "ls"], check=False, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "cannot connect to the postgresql database" in one_line_error(p)
    assert len(p.stderr.strip().splitlines()) == 1


def scenario(db: Db, **answers: Any) -> None:
    Path(json.loads(db.config.read_text())["global"]["tape"]["cta-admin_config"]).write_text(json.dumps(answers))


def pools(*names: str) -> list[dict[str, Any]]:
    return [dict(sample("tapepool", i), name=n) for i, n in enumerate(names)]


def test_check_env_against_fake_cta_admin(db: Db, manager: str) -> None:
    run(manager, db, "db", "upgrade")
    policies = [
        dict(sample("mountpolicy", i), name=n) for i, n in enumerate(["repack_low_priority", "repack_high_priority"])
    ]
    vos = [dict(sample("virtualorganization", 1), name="repack", isRepackVo=True)]
    scenario(
        db,
        **{
            "tapepool ls": pools("quarantine", "tolabel_IBM1L8", "erase_IBM1L8", "r_pool"),
            "mountpolicy ls": policies,
            "virtualorganization ls": vos,
        },
    )
    p = run(manager, db, "-j", "check-env")
    assert p.returncode == 0, p.stdout + p.stderr
    report = json.loads(p.stdout)
    assert report["ok"] is True
    assert [c["check"] for c in report["checks"]] == [
        "database",
        "quarantine pool",
        "destination pools",
        "mount policies",
        "repack VO",
    ]

    scenario(
        db,
        **{
            "tapepool ls": pools("tolabel_IBM1L8"),
            "mountpolicy ls": policies[:1],
            "virtualorganization ls": [dict(vos[0], isRepackVo=False)],
        },
    )
    p = run(manager, db, "-j", "check-env")
    assert p.returncode == 1
    failed = {c["check"]: c["detail"] for c in json.loads(p.stdout)["checks"] if not c["ok"]}
    assert set(failed) == {"quarantine pool", "destination pools", "mount policies", "repack VO"}
    assert "erase_IBM1L8" in failed["destination pools"]
    assert "repack_high_priority" in failed["mount policies"]


def test_add_takes_tape_facts_from_cta(db: Db, manager: str) -> None:
    run(manager, db, "db", "upgrade")
    tape = dict(
        sample("tape", 3),
        vid="L80001",
        tapepool="r_pool",
        mediaType="LTO8",
        capacity=1000,
        occupancy=250,
        nbMasterFiles=42,
        masterDataInBytes=4242,
    )
    scenario(db, **{"tape ls --vid L80001": [tape], "tape ls": []})
    p = run(manager, db, "add", "L80001")
    assert p.returncode == 0, p.stderr
    row = db.store().get("L80001")
    assert row is not None
    assert (row.tapepool, row.mediatype, row.files, row.bytes, row.usage) == ("r_pool", "LTO8", 42, 4242, 25)
    # A VID CTA does not know: nothing is written, not even the good ones on the same line.
    p = run(manager, db, "add", "L80001", "L80002")
    assert p.returncode == 1
    assert "not known to CTA" in one_line_error(p)
    assert [r.tape for r in db.store().list()] == ["L80001"]


def test_import_atresys_for_upstream_scripts(tmp_path: Path) -> None:
    import atresys  # noqa: PLC0415 - the alias package itself is under test

    s = atresys.Store(sqlite_path=tmp_path / "a.sqlite")
    assert s.upgrade() == (0, 1)
    assert s.add("A00001", tapepool="p", mediatype="LTO8")
    assert [r.tape for r in s.list(state="entered")] == ["A00001"]


def test_recorded_times_are_never_in_the_future(db: Db) -> None:
    # PostgreSQL's cast to timestamp(0) rounds: a row written at hh:mm:ss.6 read back as ss+1, so a
    # quarantine of 0 days was "not yet due" for the rest of that second. Spread the writes over a
    # second so some land in its second half.
    store = db.store()
    store.upgrade()
    for i in range(12):
        store.add(f"T{i:05d}", tapepool="p", mediatype="LTO9")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        row = store.get(f"T{i:05d}")
        assert row is not None
        assert row.entered <= now, (row.entered, now)
        time.sleep(0.09)


# --- issue 17: the schema, malformed rows, who, VIDs, reasons ------------------------------------

NEWER_SCHEMA = """INSERT INTO "{t}_schema" (version, applied) VALUES ({v}, '2030-01-01 00:00:00')"""
DROP_TABLES = 'DROP TABLE "{t}_claims"; DROP TABLE "{t}_history"'
SQLITE_MALFORMED = """UPDATE "{t}" SET usage = 70000 WHERE tape = 'V00002';
UPDATE "{t}" SET files = 'lots' WHERE tape = 'V00003'"""
PG_MALFORMED = """ALTER TABLE "{t}" ALTER COLUMN usage TYPE integer;
UPDATE "{t}" SET usage = 70000 WHERE tape = 'V00002'"""

MANAGER_COMMANDS: list[tuple[str, ...]] = [
    ("ls",),
    ("ls", "--extended"),
    ("add", "V00009", "--tapepool", "p", "--mediatype", "LTO8"),
    ("add", "V00009"),  # would ask CTA first: the schema comes before that
    ("rm", "V00001", "--force"),
    ("mode", "V00001", "manual", "--reason", "x"),
    ("priority", "V00001", "10"),
    ("history", "V00001"),
    ("check-env",),
    ("db", "upgrade"),
]


def test_every_manager_command_refuses_a_newer_schema(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    add(db.store(), "V00001")
    db.sql(NEWER_SCHEMA.format(t=db.table, v=2))
    before = db.store().history("V00001")
    for args in MANAGER_COMMANDS:
        p = run(manager, db, *args)
        assert p.returncode == 1, (args, p.stdout, p.stderr)
        line = one_line_error(p)
        assert "schema version 2, newer than this ctaops (schema version 1)" in line, (args, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1, (args, p.stderr)
    assert db.store().history("V00001") == before, "a command wrote to a newer schema"
    with pytest.raises(AtresysSchemaError, match="schema version 2"):
        db.store().check_schema()


def test_missing_tables_are_named_and_upgrade_recreates_them(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    add(db.store(), "V00001")
    db.sql(DROP_TABLES.format(t=db.table))
    for args in MANAGER_COMMANDS[:-1]:
        p = run(manager, db, *args)
        assert p.returncode == 1, (args, p.stdout, p.stderr)
        line = one_line_error(p)
        assert f'has no table "{db.table}_history", "{db.table}_claims"' in line, (args, line)
    p = run(manager, db, "db", "upgrade")
    assert p.returncode == 0, p.stderr
    assert "recreated the missing table(s), empty" in p.stdout
    assert db.store().check_schema() == 1
    assert [r.tape for r in db.store().list()] == ["V00001"]
    assert run(manager, db, "mode", "V00001", "manual", "--reason", "after the repair").returncode == 0


def test_one_malformed_row_does_not_hide_the_others(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    for vid in ("V00001", "V00002", "V00003"):
        add(db.store(), vid)
    if db.cluster is None:
        # SQLite keeps whatever it is given: a text count, an out-of-range percentage
        db.sql(SQLITE_MALFORMED.format(t=db.table))
        bad = {"V00002": "column usage: 70000 is out of range", "V00003": "column files"}
    else:
        # a hand-altered column type lets PostgreSQL hold a value the upstream type cannot
        db.sql(PG_MALFORMED.format(t=db.table))
        bad = {"V00002": "column usage: 70000 is out of range"}
    p = run(manager, db, "ls")
    assert p.returncode == 1, p.stderr
    shown = [ln.split()[0] for ln in p.stdout.splitlines()[1:]]
    assert "V00001" in shown, p.stdout
    assert not set(bad) & set(shown), p.stdout
    errors = p.stderr.strip().splitlines()
    assert len(errors) == len(bad), p.stderr
    for vid, problem in bad.items():
        assert any(f"row {vid} of the repack table is malformed: {problem}" in e for e in errors), p.stderr
    p = run(manager, db, "-j", "ls")
    assert p.returncode == 1
    assert "V00001" in [r["tape"] for r in json.loads(p.stdout)]
    found = db.store().listing()
    assert sorted(b.tape for b in found.bad) == sorted(bad)
    assert "V00001" in [r.tape for r in found.rows]
    # the others still work one by one, and the bad one is named when asked for
    assert run(manager, db, "mode", "V00001", "manual", "--reason", "x").returncode == 0
    p = run(manager, db, "mode", "V00002", "manual", "--reason", "x")
    assert p.returncode == 1
    assert "row V00002 of the repack table is malformed" in one_line_error(p)


def _real_user() -> str:
    import pwd  # noqa: PLC0415  (POSIX only, like the tool)

    return pwd.getpwuid(os.getuid()).pw_name


def test_history_records_the_real_user_not_user(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    me = _real_user()
    base = {k: v for k, v in os.environ.items() if k not in ("USER", "LOGNAME", "SUDO_USER")}

    def as_env(env: dict[str, str], *args: str) -> None:
        p = subprocess.run(
            [manager, "-C", str(db.config), *args], check=False, capture_output=True, text=True, timeout=60, env=env
        )
        assert p.returncode == 0, p.stderr

    as_env({**base, "USER": "mallory", "LOGNAME": "mallory"}, "add", "V00001", "--tapepool", "p", "--mediatype", "L8")
    as_env(base, "mode", "V00001", "manual", "--reason", "no USER at all")
    as_env({**base, "USER": "mallory", "SUDO_USER": "ops-alice"}, "mode", "V00001", "auto", "--reason", "sudo")
    who = [h.actor for h in db.store().history("V00001")]
    assert who == [me, me, f"{me} (sudo by ops-alice)"]
    assert db.store().get("V00001").responsible == me  # type: ignore[union-attr]
    # the Python API records the same
    old = os.environ.pop("USER", None)
    try:
        os.environ["USER"] = "mallory"
        db.store().set_mode("V00001", "manual", reason="python")
    finally:
        if old is None:
            os.environ.pop("USER", None)
        else:
            os.environ["USER"] = old
    assert db.store().history("V00001")[-1].actor.split(" ")[0] == me


def test_add_takes_only_vids_cta_accepts(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    for vid in ("l80001", "L8000a", "L800012", "L80001234567890123456"):
        p = run(manager, db, "add", vid, "--tapepool", "p", "--mediatype", "LTO8")
        assert p.returncode == 2, (vid, p.stderr)
        assert "1-6 upper-case letters or digits" in one_line_error(p)
    p = run(manager, db, "add", "L80001", "l80002", "--tapepool", "p", "--mediatype", "LTO8")
    assert p.returncode == 2
    assert db.store().list() == []
    with pytest.raises(InvalidArgumentError):
        add(db.store(), "l80001")


def test_reasons_are_bounded(db: Db, manager: str) -> None:
    assert run(manager, db, "db", "upgrade").returncode == 0
    assert run(manager, db, "add", "L80001", "--tapepool", "p", "--mediatype", "LTO8").returncode == 0
    long = "x" * (MAX_REASON_LEN + 1)
    for args in (
        ("add", "L80002", "--tapepool", "p", "--mediatype", "LTO8", "--reason", long),
        ("mode", "L80001", "manual", "--reason", long),
        ("priority", "L80001", "10", "--reason", long),
        ("rm", "L80001", "--reason", long),
    ):
        p = run(manager, db, *args)
        assert p.returncode == 2, (args[0], p.stderr)
        assert f"reason too long: {MAX_REASON_LEN + 1} characters, at most {MAX_REASON_LEN}" in one_line_error(p)
    assert [r.tape for r in db.store().list()] == ["L80001"]
    assert len(db.store().history("L80001")) == 1
    p = run(manager, db, "mode", "L80001", "manual", "--reason", "é" * MAX_REASON_LEN)
    assert p.returncode == 0, p.stderr
    assert db.store().history("L80001")[-1].reason == "é" * MAX_REASON_LEN
    with pytest.raises(InvalidArgumentError, match="reason too long"):
        db.store().set_mode("L80001", "auto", reason=long)
