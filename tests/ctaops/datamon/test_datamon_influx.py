"""cta-ops-data-monitoring against a real InfluxDB 1.x: the points it writes, recomputation,
the src and import modes, and every bad input as one line and a non-zero exit."""

from __future__ import annotations

import calendar
import gzip
import json
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.ctaops.datamon.conftest import DatamonInstance
from tests.ctaops.datamon.influxserver import InfluxServer

M = "downsampled_ctataped_tapeSessionFinished"
DAILY, MONTHLY = "long_term_1d", "long_term_1mo"
TAGS = ("mountType", "vo", "tapePool", "drive", "library")


def ts(y: int, mo: int, d: int, h: int = 0) -> int:
    return calendar.timegm((y, mo, d, h, 0, 0))


def record(
    t: float, mount: str, pool: str, volume: int, files: int, *, status: str = "success", drive: str = "D1"
) -> str:
    rec = {
        "epoch_time": t,
        "local_time": "2026-01-01T00:00:00+0000",
        "hostname": "tpsrv01",
        "program": "cta-taped",
        "log_level": "INFO",
        "pid": 1,
        "tid": 1,
        "message": "Tape session finished",
        "log_schema_version": "0.2.0",
        "mountType": mount,
        "vo": "vo1",
        "tapePool": pool,
        "tapeDrive": drive,
        "logicalLibrary": "LIB1",
        "status": status,
        # CTA's own logs carry numbers, the simulator's the schema's strings: both are read
        "dataVolume": volume,
        "filesCount": str(files),
    }
    return json.dumps(rec)


def ok(r: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert r.returncode == 0, r.stderr
    return r


def fails(r: subprocess.CompletedProcess[str], *words: str) -> str:
    """A failure: non-zero exit, one stderr line naming ``words``."""
    assert r.returncode != 0, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def expected(log: Path) -> dict[tuple[int, tuple[tuple[str, str], ...]], dict[str, int]]:
    """Daily totals computed independently from the log with json.loads."""
    out: dict[tuple[int, tuple[tuple[str, str], ...]], dict[str, int]] = defaultdict(
        lambda: {"dataVolume": 0, "filesCount": 0, "sessions": 0, "failedSessions": 0}
    )
    for text in log.read_text().splitlines():
        rec = json.loads(text)
        if rec.get("message") != "Tape session finished":
            continue
        t = int(rec["epoch_time"]) // 86400 * 86400
        tags = dict(zip(TAGS, (rec["mountType"], rec["vo"], rec["tapePool"], rec["tapeDrive"], rec["logicalLibrary"])))
        p = out[(t, tuple(sorted(tags.items())))]
        p["dataVolume"] += int(rec["dataVolume"])
        p["filesCount"] += int(rec["filesCount"])
        p["sessions"] += 1
        p["failedSessions"] += rec["status"] != "success"
    return dict(out)


def monthly_of(daily: dict[tuple[int, Any], dict[str, int]]) -> dict[tuple[int, Any], dict[str, int]]:
    out: dict[tuple[int, Any], dict[str, int]] = {}
    for (t, tags), fields in daily.items():
        y, mo = map(int, __import__("time").strftime("%Y %m", __import__("time").gmtime(t)).split())
        key = (ts(y, mo, 1), tags)
        cur = out.setdefault(key, dict.fromkeys(fields, 0))
        for k, v in fields.items():
            cur[k] += v
    return out


def test_sim_sessions_become_exact_daily_and_monthly_points(inst: DatamonInstance, influx: InfluxServer) -> None:
    inst.sim("archive", str(inst.dir), "--storageclass", "ctaops_sc", "--count", "4", "--size", "3000")
    inst.sim("run", str(inst.dir))
    vid = json.loads(inst.admin("--json", "tape", "ls", "--all"))[0]["vid"]
    files = json.loads(inst.admin("--json", "tf", "ls", "--vid", vid))
    inst.sim("retrieve", str(inst.dir), "--id", ",".join(f["af"]["archiveId"] for f in files[:3]))
    inst.sim("run", str(inst.dir))
    want = expected(inst.taped_log)
    assert sum(p["sessions"] for p in want.values()) == len(inst.taped_log.read_text().splitlines()) >= 2

    # the retention policies are created only when asked
    line = fails(inst.datamon("--taped-logs", inst.taped_log), "retention policy", DAILY, inst.db)
    assert "--create-retention-policies" in line
    r = ok(inst.datamon("--taped-logs", inst.taped_log, "--create-retention-policies", "--json"))
    summary = json.loads(r.stdout)
    assert summary["created_retention_policies"] == [DAILY, MONTHLY]
    assert summary["daily_points"] == len(want)
    daily = influx.points(inst.db, DAILY, M)
    assert daily == want
    by_mount = {dict(tags)["mountType"]: f for (_, tags), f in daily.items()}
    assert by_mount["ArchiveForUser"]["dataVolume"] == 12000
    assert by_mount["Retrieve"]["filesCount"] == 3
    assert influx.points(inst.db, MONTHLY, M) == monthly_of(want)

    # the run's textfile (global.metrics.textfile_dir of the sim config) says what it did
    prom = (inst.dir / "metrics" / "ctaops_data_monitoring.prom").read_text()
    assert "ctaops_data_monitoring_last_run_success 1\n" in prom
    assert f"ctaops_data_monitoring_records {summary['records']}\n" in prom
    assert f'ctaops_data_monitoring_points{{granularity="daily"}} {len(want)}\n' in prom
    promtool = shutil.which("promtool")
    if promtool is not None:
        r = subprocess.run([promtool, "check", "metrics"], input=prom, capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stdout + r.stderr

    # a second run changes nothing: the day is replaced, not added to
    ok(inst.datamon("--taped-logs", str(inst.taped_log)))
    assert influx.points(inst.db, DAILY, M) == want
    assert influx.points(inst.db, MONTHLY, M) == monthly_of(want)


def test_recomputing_a_day_replaces_it_and_its_month(
    inst: DatamonInstance, influx: InfluxServer, tmp_path: Path
) -> None:
    log = tmp_path / "cta-taped.log"
    first = [
        record(ts(2026, 3, 1, 5), "Retrieve", "p1", 100, 1),  # the 1st: its daily point shares the month's timestamp
        record(ts(2026, 3, 1, 6), "ArchiveForUser", "p2", 50, 2, status="failure"),
        record(ts(2026, 3, 2, 7), "Retrieve", "p1", 10, 1),
        '{"epoch_time": 1772400000, "message": "Starting session", "program": "cta-taped"}',
        record(ts(2026, 4, 30, 23), "Retrieve", "p1", 7, 7),
    ]
    log.write_text("\n".join(first) + "\n")
    ok(inst.datamon("--create-retention-policies", "--taped-logs", log))
    assert influx.points(inst.db, DAILY, M) == expected(log)
    assert influx.points(inst.db, MONTHLY, M) == monthly_of(expected(log))

    # 1 March again, with p2's session gone and p1's bigger: the p2 tag set must vanish, day and month
    log.write_text(record(ts(2026, 3, 1, 5), "Retrieve", "p1", 300, 3) + "\n")
    ok(inst.datamon("--taped-logs", log))
    daily = influx.points(inst.db, DAILY, M)
    p1 = (("drive", "D1"), ("library", "LIB1"), ("mountType", "Retrieve"), ("tapePool", "p1"), ("vo", "vo1"))
    assert daily[(ts(2026, 3, 1), p1)] == {"dataVolume": 300, "filesCount": 3, "sessions": 1, "failedSessions": 0}
    assert daily[(ts(2026, 3, 2), p1)]["dataVolume"] == 10  # other days untouched
    assert not [k for k in daily if dict(k[1])["tapePool"] == "p2"]
    monthly = influx.points(inst.db, MONTHLY, M)
    assert monthly[(ts(2026, 3, 1), p1)] == {"dataVolume": 310, "filesCount": 4, "sessions": 2, "failedSessions": 0}
    assert monthly[(ts(2026, 4, 1), p1)]["dataVolume"] == 7
    assert len(monthly) == 2

    # an explicit range recomputes every day in it: a day without sessions empties
    log.write_text("")
    ok(inst.datamon("--taped-logs", log, "--from", "2026-03-02", "--to", "2026-03-02"))
    assert (ts(2026, 3, 2), p1) not in influx.points(inst.db, DAILY, M)
    assert influx.points(inst.db, MONTHLY, M)[(ts(2026, 3, 1), p1)]["dataVolume"] == 300

    # rotated, gzipped logs and globs; the range keeps only its days
    with gzip.open(tmp_path / "cta-taped.log-20260305.gz", "wt") as f:
        f.write(
            record(ts(2026, 3, 5, 1), "Retrieve", "p1", 5, 1) + "\n" + record(ts(2026, 3, 6, 1), "Retrieve", "p1", 6, 1)
        )
    r = ok(
        inst.datamon(
            "--taped-logs", str(tmp_path / "cta-taped.log*"), "--from", "2026-03-05", "--to", "2026-03-05", "--json"
        )
    )
    assert json.loads(r.stdout)["days"] == ["2026-03-05"]
    daily = influx.points(inst.db, DAILY, M)
    assert daily[(ts(2026, 3, 5), p1)]["dataVolume"] == 5
    assert (ts(2026, 3, 6), p1) not in daily


def test_dry_run_prints_line_protocol_and_writes_nothing(
    inst: DatamonInstance, influx: InfluxServer, tmp_path: Path
) -> None:
    log = tmp_path / "l.log"
    log.write_text(record(ts(2026, 5, 3, 1), "Retrieve", "p 1", 42, 2) + "\n")
    r = ok(inst.datamon("--taped-logs", log, "--dry-run"))
    lines = r.stdout.splitlines()
    assert lines[:3] == ["# DML", f"# CONTEXT-DATABASE: {inst.db}", f"# CONTEXT-RETENTION-POLICY: {DAILY}"]
    tags = "drive=D1,library=LIB1,mountType=Retrieve,tapePool=p\\ 1,vo=vo1"
    fields = "dataVolume=42i,filesCount=2i,sessions=1i,failedSessions=0i"
    assert lines[3] == f"{M},{tags} {fields} {ts(2026, 5, 3)}"
    assert lines[5] == f"{M},{tags} {fields} {ts(2026, 5, 1)}"
    assert influx.query(f'SHOW MEASUREMENTS ON "{inst.db}"') == []
    assert {r[0] for s in influx.query(f'SHOW RETENTION POLICIES ON "{inst.db}"') for r in s["values"]} == {"autogen"}


def seed_rps(influx: InfluxServer, db: str, *rps: str) -> None:
    for rp in rps:
        influx.query(f'CREATE RETENTION POLICY "{rp}" ON "{db}" DURATION INF REPLICATION 1')


def test_src_mode_builds_months_from_the_src_days(inst: DatamonInstance, influx: InfluxServer) -> None:
    src = inst.db.replace("_datamon", "_taped")
    seed_rps(influx, src, DAILY)
    seed_rps(influx, inst.db, DAILY, MONTHLY)
    tags = "drive=D1,library=L1,mountType=Retrieve,tapePool=p1,vo=vo1"
    influx.write(
        src,
        DAILY,
        [
            f"{M},{tags} dataVolume=10i,filesCount=1i,sessions=1i,failedSessions=0i {ts(2026, 6, 29)}",
            f"{M},{tags} dataVolume=20i,filesCount=2i,sessions=2i,failedSessions=1i {ts(2026, 6, 30)}",
            f"{M},{tags} dataVolume=5i,filesCount=1i,sessions=1i,failedSessions=0i {ts(2026, 7, 1)}",
            f"{M},{tags} dataVolume=99i,filesCount=9i,sessions=9i,failedSessions=0i {ts(2026, 5, 31)}",
        ],
    )
    r = ok(inst.datamon("--from", "2026-06-30", "--to", "2026-07-01", "--json"))
    assert json.loads(r.stdout)["months"] == ["2026-06", "2026-07"]
    monthly = influx.points(inst.db, MONTHLY, M)
    key = tuple(sorted(dict(x.split("=") for x in tags.split(",")).items()))
    assert monthly == {
        (ts(2026, 6, 1), key): {"dataVolume": 30, "filesCount": 3, "sessions": 3, "failedSessions": 1},
        (ts(2026, 7, 1), key): {"dataVolume": 5, "filesCount": 1, "sessions": 1, "failedSessions": 0},
    }
    assert influx.points(inst.db, DAILY, M) == {}  # the src mode writes months only
    # the rolling window (7d back from today) alone, with the src empty there: no points, no error
    r = ok(inst.datamon("--json"))
    assert json.loads(r.stdout)["monthly_points"] == 0


def test_import_mode_translates_cta_and_castor_points(
    inst: DatamonInstance, influx: InfluxServer, tmp_path: Path
) -> None:
    imp = inst.db.replace("_datamon", "_import")
    seed_rps(influx, imp, "aggregations")
    influx.write(
        imp,
        "aggregations",
        [
            "tape_sessions_daily_datavolume_cta,mountType=ArchiveForUser,vo=atlas,tapePool=atlas_raw,"
            "drive=D7,library=L2 "
            f"dataVolume=1000i,filesCount=10i,sessions=2i,failedSessions=0i {ts(2025, 12, 30)}",
            "tape-sessions-daily-datavolume,type=read,experiment=cms,svcclass=cms_t0 "
            f"bytes=700i,files=7i,mounts=1i {ts(2025, 12, 31, 12)}",
        ],
    )
    log = tmp_path / "l.log"
    log.write_text(record(ts(2026, 1, 2, 3), "Retrieve", "p1", 1, 1) + "\n")
    r = ok(inst.datamon("--import-data", "--taped-logs", log, "--create-retention-policies", "--json"))
    assert json.loads(r.stdout)["days"] == ["2025-12-30", "2025-12-31", "2026-01-02"]
    daily = influx.points(inst.db, DAILY, M)
    castor = (
        ("drive", "unknown"),
        ("library", "unknown"),
        ("mountType", "Retrieve"),
        ("tapePool", "cms_t0"),
        ("vo", "cms"),
    )
    assert daily[(ts(2025, 12, 31), castor)] == {"dataVolume": 700, "filesCount": 7, "sessions": 1, "failedSessions": 0}
    monthly = influx.points(inst.db, MONTHLY, M)
    assert len(monthly) == 3
    cta = (
        ("drive", "D7"),
        ("library", "L2"),
        ("mountType", "ArchiveForUser"),
        ("tapePool", "atlas_raw"),
        ("vo", "atlas"),
    )
    assert monthly[(ts(2025, 12, 1), cta)]["dataVolume"] == 1000
    assert monthly[(ts(2025, 12, 1), castor)]["dataVolume"] == 700


def test_bad_inputs_are_one_line_and_a_failure(inst: DatamonInstance, influx: InfluxServer, tmp_path: Path) -> None:
    log = tmp_path / "l.log"
    log.write_text(record(ts(2026, 2, 1), "Retrieve", "p1", 1, 1) + "\n")
    ok(inst.datamon("--taped-logs", log, "--create-retention-policies"))
    before = influx.points(inst.db, DAILY, M)

    # a malformed line: nothing of the run is written
    bad = tmp_path / "bad.log"
    bad.write_text(
        record(ts(2026, 2, 1), "Retrieve", "p9", 5, 1)
        + "\n"
        + '{"message": "Tape session finished", "epoch_time": 1,\n'
    )
    fails(inst.datamon("--taped-logs", bad), str(bad), "line 2", "invalid JSON")
    bad.write_text("Dec  7 12:00:00 tpsrv01 cta-taped: not JSON\n")
    fails(inst.datamon("--taped-logs", bad), "line 1", "not a JSON log record")
    bad.write_text(record(ts(2026, 2, 1), "Retrieve", "p9", -5, 1) + "\n")
    fails(inst.datamon("--taped-logs", bad), "dataVolume")
    assert influx.points(inst.db, DAILY, M) == before
    fails(inst.datamon("--taped-logs", tmp_path / "missing.log"), "missing.log")
    fails(inst.datamon("--taped-logs", str(tmp_path / "nothing*.log")), "no file matches")

    # bad dates are usage errors
    r = inst.datamon("--taped-logs", log, "--from", "2026-02-30")
    assert r.returncode == 2
    assert "not a date" in fails(r)
    r = inst.datamon("--taped-logs", log, "--from", "2026-02-03", "--to", "2026-02-01")
    assert r.returncode == 2
    assert "before --from" in fails(r)

    # the server: refused credentials, unknown database, nobody listening
    wrong = inst.derived("pw", "dst_influxdb_password: s3cret-admin", "dst_influxdb_password: wrong")
    fails(inst.datamon("--taped-logs", log, config=wrong), "refused user 'admin'", "dst")
    nodb = inst.derived("db", f"dst_influxdb_database: {inst.db}", "dst_influxdb_database: nosuchdb")
    fails(inst.datamon("--taped-logs", log, config=nodb), "database not found: nosuchdb")
    down = inst.derived("port", f"dst_influxdb_port: {influx.port}", "dst_influxdb_port: 1")
    fails(inst.datamon("--taped-logs", log, config=down), "cannot reach InfluxDB dst at http://127.0.0.1:1")
    badport = inst.derived("bp", f"dst_influxdb_port: {influx.port}", "dst_influxdb_port: changeme")
    fails(inst.datamon("--taped-logs", log, config=badport), "dst_influxdb_port is not a TCP port")
    assert influx.points(inst.db, DAILY, M) == before
