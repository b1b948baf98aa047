"""Scan to finish through real simulator repacks, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.ctaops.atresys.conftest import QUARANTINE, SUFFIX, USER_TAPES, Env, script


def files_on(env: Env, vid: str) -> list[int]:
    return sorted(int(r["af"]["archiveId"]) for r in env.admin("tapefile", "ls", "--vid", vid))


def test_scan_selects_full_low_usage_tapes(env: Env) -> None:
    r = env.step("0-scan")
    # emptiest first: V00002 holds three files, the others two
    assert r.stdout.split() == ["V00001", "V00003", "V00002"]
    recs = json.loads(env.step("0-scan", "-j").stdout)
    assert [c["vid"] for c in recs] == ["V00001", "V00003", "V00002"]
    assert recs[0]["usage"] < recs[2]["usage"]
    assert all(0 < c["usage"] < 0.4 and c["tapepool"] == "ctaops_user" for c in recs)
    assert env.step("0-scan", "-n", "1").stdout.split() == ["V00001"]
    # threshold below every tape's usage: nothing
    env.rewrite_config(**{"cta-ops-repack-0-scan": {"tape_usage_threshold": 0.0}})
    assert env.step("0-scan").stdout.split() == []
    # scan never writes
    assert env.rows() == {}


def test_full_cycle_moves_files_and_hands_tapes_back(env: Env) -> None:
    full_cycle(env)


def test_full_cycle_over_grpc(grpc_env: Env) -> None:
    """Every command the steps send (listings, tape ch, repack add/rm, tape reclaim, tapepool
    moves) through the simulator's gRPC frontend, chosen by the ops config alone."""
    full_cycle(grpc_env)


def full_cycle(env: Env) -> None:  # noqa: PLR0915
    before = {vid: files_on(env, vid) for vid in USER_TAPES}
    assert all(before.values())
    env.rewrite_config(max_active_repacks=2)

    out = json.loads(env.step("1-prepare", "-j").stdout)
    assert sorted((o["tape"], o["action"]) for o in out) == [(v, "entered") for v in USER_TAPES]
    assert {o["destination"] for o in out} == {f"tolabel{SUFFIX}"}
    rows = env.rows()
    assert {v: rows[v].state for v in USER_TAPES} == dict.fromkeys(USER_TAPES, "entered")
    assert rows["V00001"].files == len(before["V00001"])
    # prepare twice: nothing more
    assert "entered" not in env.step("1-prepare").stdout

    # start respects max_active_repacks
    env.step("2-start")
    states = {v: r.state for v, r in env.rows().items()}
    assert sorted(states.values()) == ["entered", "started", "started"]
    started = [v for v, s in states.items() if s == "started"]
    assert {r["vid"] for r in env.admin("repack", "ls")} == set(started)
    for vid in started:
        t = env.tape(vid)
        assert (t["state"], t["full"]) == ("REPACKING", True)
        listing = next(env.log_dir.glob(f"repack-tapefile-*-{vid}.txt"))
        assert sorted(int(r["af"]["archiveId"]) for r in json.loads(listing.read_text())) == before[vid]
    # a second start run while both are active starts nothing
    env.step("2-start")
    assert len(env.admin("repack", "ls")) == 2

    # end: still pending, so they wait
    assert "waiting" in env.step("3-end").stdout
    assert {r.state for r in env.rows().values()} == {"entered", "started"}

    env.sim_run("--until-idle")
    env.step("3-end")
    assert sorted(r.state for r in env.rows().values()) == ["entered", "repacked", "repacked"]
    stats = [json.loads(line) for line in env.end_json.read_text().splitlines()]
    assert sorted(s["tape"] for s in stats) == sorted(started)
    assert all(s["status"] == "Complete" and s["destinationInfos"] for s in stats)

    # the third tape now gets its slot; run it through too
    env.step("2-start")
    env.sim_run("--until-idle")
    env.step("3-end")
    assert {r.state for r in env.rows().values()} == {"repacked"}

    env.step("4-quarantine")
    for vid in USER_TAPES:
        t = env.tape(vid)
        assert (t["tapepool"], t["state"]) == (QUARANTINE, "DISABLED")
        assert files_on(env, vid) == []
    assert env.admin("repack", "ls") == []
    assert {r.state for r in env.rows().values()} == {"quarantined"}

    # CTA's own recycle-log quarantine (31 days) is not over: the tapes wait
    r = env.step("5-reclaim")
    assert r.stdout.count("waiting") == 3
    assert "reclaim this tape later" in r.stdout
    assert all(env.tape(v)["full"] for v in USER_TAPES)
    env.advance_sim_clock()
    env.step("5-reclaim")
    assert {r.state for r in env.rows().values()} == {"reclaimed"}
    assert all(not env.tape(v)["full"] and env.tape(v)["lastFseq"] == "0" for v in USER_TAPES)

    env.step("6-finish")
    rows = env.rows()
    assert {r.state for r in rows.values()} == {"finished"}
    for vid in USER_TAPES:
        assert env.tape(vid)["tapepool"] == f"tolabel{SUFFIX}"
    # every file that was on the source tapes is now on a tape of the repack pool
    moved: list[int] = []
    for t in env.admin("tape", "ls", "--tapepool", "ctaops_repack"):
        moved += files_on(env, t["vid"])
    assert sorted(moved) == sorted(i for ids in before.values() for i in ids)
    # history: one advance per state per tape, all by the steps
    for vid in USER_TAPES:
        adv = [(h.to_value, h.actor) for h in env.store().history(vid) if h.action == "advance"]
        assert [a[0] for a in adv] == ["started", "repacked", "quarantined", "reclaimed", "finished"]
        assert all(a[1].startswith("cta-ops-repack-") for a in adv)
    # a later run of every step changes nothing
    for name in ("1-prepare", "2-start", "3-end", "4-quarantine", "5-reclaim", "6-finish"):
        env.step(name)
    assert env.rows() == rows


def test_quarantine_days_hold_tapes_back(env: Env) -> None:
    env.step("1-prepare", "V00001")
    env.step("2-start")
    env.sim_run("--until-idle")
    env.step("3-end")
    env.step("4-quarantine")
    env.advance_sim_clock()
    env.rewrite_config(quarantine_days=31)
    r = env.step("5-reclaim", "-V")
    assert "1 tape(s) in quarantine, none due" in r.stderr
    assert env.rows()["V00001"].state == "quarantined"
    assert env.tape("V00001")["full"]
    env.rewrite_config(quarantine_days=0)
    env.step("5-reclaim")
    assert env.rows()["V00001"].state == "reclaimed"


def test_failed_repack_lands_in_error_mode_and_is_left_alone(env: Env) -> None:
    subprocess.run([env.sim_exe, "sim", "fault", str(env.sim), "unreadable", "--vid", "V00002"], check=True)
    env.step("1-prepare", "V00001", "V00002")
    env.step("2-start")
    env.sim_run("--until-idle")
    r = env.step("3-end", check=False)
    assert r.returncode == 1
    rows = env.rows()
    assert rows["V00002"].mode == "error"
    assert rows["V00002"].state == "started"
    assert rows["V00001"].state == "repacked"
    last = env.store().history("V00002")[-1]
    assert (last.action, last.to_value) == ("mode", "error")
    assert "repack Failed" in last.reason
    assert "failed to retrieve" in last.reason
    # the other steps never touch it
    n = len(env.store().history("V00002"))
    for name in ("2-start", "3-end", "4-quarantine", "5-reclaim", "6-finish"):
        env.step(name)
    assert len(env.store().history("V00002")) == n
    assert env.rows()["V00001"].state == "quarantined"


def test_manual_tape_is_never_touched(env: Env) -> None:
    env.step("1-prepare", "V00001", "V00003")
    env.store().set_mode("V00003", "manual", reason="operator takes over")
    env.step("2-start")
    assert env.rows()["V00003"].state == "entered"
    assert env.tape("V00003")["state"] == "ACTIVE"
    assert [r["vid"] for r in env.admin("repack", "ls")] == ["V00001"]
    # and scan skips it
    assert "V00003" not in env.step("0-scan").stdout.split()


def test_dry_run_changes_nothing(env: Env) -> None:
    out = env.step("1-prepare", "--dry-run", "-j").stdout
    assert len(json.loads(out)) == 3
    assert env.rows() == {}
    env.step("1-prepare")
    out = env.step("2-start", "--dry-run", "-V")
    assert "would run: repack add --vid V00001" in out.stderr
    assert env.admin("repack", "ls") == []
    assert {r.state for r in env.rows().values()} == {"entered"}
    assert env.tape("V00001")["state"] == "ACTIVE"


def test_prepare_rejects_bad_tapes_with_one_line(env: Env) -> None:
    r = env.step("1-prepare", "V00004", "NOPE01", "V00001", check=False)
    assert r.returncode == 1
    lines = {line.split()[0]: line for line in r.stdout.splitlines()}
    assert "rejected reason=not full" in lines["V00004"]
    assert "does not exist" in lines["NOPE01"]
    assert "entered" in lines["V00001"]
    assert set(env.rows()) == {"V00001"}


def test_errors_are_mailed_when_configured(env: Env) -> None:
    env.rewrite_config(email_errors=True)
    r = env.step("1-prepare", "V00004", check=False)
    assert r.returncode == 1
    mail = env.outbox.read_text()
    assert "X-Sendmail-Args: -t -oi" in mail
    assert "To: tape-ops@localhost" in mail
    assert "V00004: not full" in mail


def test_cli_errors_are_one_line(env: Env, tmp_path: Path) -> None:
    r = env.step("2-start", "--bogus", check=False)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("cta-ops-repack-2-start: error: unrecognized arguments: --bogus")
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({"tools": {"cta-ops-repack-automation": {"default_priority": 7}}}))
    r = env.step("2-start", "-C", str(bad), check=False)
    assert r.returncode == 1
    assert r.stderr.startswith("error: ")
    assert "default_priority 7" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_prepare_reads_a_vidfile_and_stdin(env: Env, tmp_path: Path) -> None:
    vids = tmp_path / "vids.txt"
    vids.write_text("# candidates\nV00001   V00003 # two\n")
    out = json.loads(env.step("1-prepare", "-j", "-f", str(vids)).stdout)
    assert sorted(o["tape"] for o in out) == ["V00001", "V00003"]
    r = subprocess.run(
        [script("cta-ops-repack-1-prepare"), "-C", str(env.config), "-f", "-", "--priority", "50"],
        input="V00002\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert "V00002 entered priority=50" in r.stdout
    assert env.rows()["V00002"].priority == 50
    assert set(env.rows()) == set(USER_TAPES)
