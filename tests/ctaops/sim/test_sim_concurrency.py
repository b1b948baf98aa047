"""Concurrent mounts in simulated time, by CTA's rules.

CTA sources followed (cern-cta/CTA): ``scheduler/Scheduler.cpp``,
``Scheduler::sortAndGetTapesForMountInfo`` (a VO's ``readMaxDrives``/``writeMaxDrives`` cap its
mounts of each kind; a second drive joins an archive queue only when its files or bytes divided by
one plus the mounts already serving it reach taped's ``MountCriteria``; repack mounts count
against the repack VO), and ``SchedulerDatabase::PotentialMount::operator<`` in
``scheduler/SchedulerDatabase.hpp`` (highest priority first, then oldest request).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim

Session = dict[str, object]

# A second drive joins a queue from two files per mount on (CTA's default is 10,000 files).
CRITERIA = ["--mount-criteria", "1000000000000,2"]
# 300 kB files take 3 simulated seconds each at 100 kB/s.
SLOW = ["--drive-rate", "100KB"]


def admin_ok(sim: Sim, *argv: str) -> None:
    r = sim.admin(*argv)
    assert r.returncode == 0, (argv, r.stderr)


def four_drives(exe: str, d: Path, catalogue_args: list[str]) -> Sim:
    """4 drives; VO vo_b with its own pool (the four supply tapes) and storage class beside vo_user."""
    r = subprocess.run(
        [exe, "sim", "init", str(d), "--drives", "4", "--tapes", "20", *catalogue_args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    sim = Sim(exe, d)
    admin_ok(sim, "vo", "add", "--vo", "vo_b", "--rmd", "1", "--wmd", "1", "--di", "eosctaops", "-m", "second VO")
    admin_ok(sim, "tp", "add", "-n", "pool_b", "--vo", "vo_b", "-p", "0", "-m", "vo_b pool")
    admin_ok(sim, "sc", "add", "-n", "sc_b", "-c", "1", "--vo", "vo_b", "-m", "vo_b class")
    admin_ok(sim, "ar", "add", "-s", "sc_b", "-c", "1", "-t", "pool_b", "-m", "route")
    for vid in ("V00013", "V00014", "V00015", "V00016"):
        admin_ok(sim, "ta", "ch", "-v", vid, "--tapepool", "pool_b")
    return sim


@pytest.fixture
def sim4(sim_exe: str, tmp_path: Path, catalogue_args: list[str]) -> Sim:
    return four_drives(sim_exe, tmp_path / "inst", catalogue_args)


def archive(sim: Sim, storage_class: str, count: int) -> None:
    sim.ok("sim", "archive", sim.dir, "--storageclass", storage_class, "--count", str(count), "--size", "300000")


def sessions(report: dict[str, object]) -> list[Session]:
    out = report["sessions"]
    assert isinstance(out, list)
    return out


def peak(of: Iterable[Session]) -> int:
    """Most sessions mounted at the same simulated time."""
    edges = sorted(e for s in of for e in ((int(str(s["start"])), 1), (int(str(s["end"])), -1)))
    level = best = 0
    for _, step in edges:
        level += step
        best = max(best, level)
    return best


def archives_of(report: dict[str, object], vo: str) -> list[Session]:
    return [s for s in sessions(report) if s["vo"] == vo and str(s["mountType"]).startswith("ARCHIVE")]


def test_write_max_drives_bind_per_vo(sim4: Sim) -> None:
    admin_ok(sim4, "vo", "ch", "--vo", "vo_user", "--wmd", "3")
    archive(sim4, "ctaops_sc", 12)
    archive(sim4, "sc_b", 12)
    report = sim4.ok("sim", "run", sim4.dir, *CRITERIA, *SLOW)
    assert report["files_archived"] == 24
    user, b = archives_of(report, "vo_user"), archives_of(report, "vo_b")
    # the limits bind: 3 and 1 drives at once although 4 drives and 12 files each are there
    assert (peak(user), peak(b)) == (3, 1)
    assert peak(sessions(report)) == 4
    assert len({s["vid"] for s in user}) == 3  # three tapes of the pool written at once
    assert sum(int(str(s["files"])) for s in user) == 12
    assert sim4.ls("sq") == []

    # swap the limits: the peaks follow them, so it is the limits that bind
    admin_ok(sim4, "vo", "ch", "--vo", "vo_user", "--wmd", "1")
    admin_ok(sim4, "vo", "ch", "--vo", "vo_b", "--wmd", "3")
    archive(sim4, "ctaops_sc", 12)
    archive(sim4, "sc_b", 12)
    report = sim4.ok("sim", "run", sim4.dir, *CRITERIA, *SLOW)
    assert (peak(archives_of(report, "vo_user")), peak(archives_of(report, "vo_b"))) == (1, 3)

    # with CTA's default MountCriteria (10,000 files) one drive serves each queue
    archive(sim4, "ctaops_sc", 12)
    report = sim4.ok("sim", "run", sim4.dir, *SLOW)
    assert [s["vo"] for s in sessions(report)] == ["vo_user"]


def test_repack_competes_with_user_retrieves(sim4: Sim, tmp_path: Path) -> None:
    # three user tapes with four files each
    admin_ok(sim4, "vo", "ch", "--vo", "vo_user", "--wmd", "3")
    archive(sim4, "ctaops_sc", 12)
    # 30 simulated seconds per file: every drive gets files before the first one drains the queue
    sim4.ok("sim", "run", sim4.dir, *CRITERIA, "--drive-rate", "10KB")
    by_tape: dict[str, list[str]] = {}
    for vid in ("V00001", "V00002", "V00003"):
        by_tape[vid] = [str(r["af"]["archiveId"]) for r in sim4.ls("tf", "ls", "--vid", vid)]  # type: ignore[index]
    assert all(by_tape.values()), by_tape
    # repack the third; the user retrieves the first two; users may read with one drive only
    repacked, (t1, t2) = "V00003", ("V00001", "V00002")
    admin_ok(sim4, "ta", "ch", "-v", repacked, "-f", "true")
    admin_ok(sim4, "ta", "ch", "-v", repacked, "-s", "REPACKING", "-r", "migration")
    admin_ok(sim4, "vo", "ch", "--vo", "vo_user", "--rmd", "1")
    admin_ok(sim4, "mp", "ch", "-n", "repack", "--rp", "5")
    sim4.ok("sim", "retrieve", sim4.dir, "--id", by_tape[t1][0], "--dest", tmp_path / "r1")
    sim4.ok("sim", "retrieve", sim4.dir, "--id", by_tape[t2][0], "--dest", tmp_path / "r2")
    admin_ok(sim4, "re", "add", "-v", repacked, "-u", "repack")
    # The repack's retrieves are queued when the run expands it, so they pass by their file count
    # (four files against the criteria's two), not by age: without that, user requests queued a
    # second earlier would be the only eligible queue at the start, as they would be in CTA.
    time.sleep(1.1)
    report = sim4.ok("sim", "run", sim4.dir, *CRITERIA, *SLOW)
    assert report["repacks_completed"] == 1
    [rep] = [s for s in sessions(report) if s["vid"] == repacked]
    users = [s for s in sessions(report) if s["vid"] in (t1, t2)]
    # the repack's mount is decided first (higher priority) and counts against the repack VO
    assert sessions(report)[0]["vid"] == repacked
    assert (rep["vo"], rep["mountType"]) == ("vo_repack", "RETRIEVE")
    # the user VO's single read drive: its two tapes one after the other, the first beside the repack
    assert [s["vid"] for s in users] == [t1, t2]
    assert peak(users) == 1
    assert int(str(users[1]["start"])) >= int(str(users[0]["end"]))
    assert peak([rep, users[0]]) == 2
    # the repacked files went to the repack pool in a repack archive mount
    dest = [s for s in sessions(report) if s["mountType"] == "ARCHIVE_FOR_REPACK"]
    assert {(s["tapepool"], s["vo"]) for s in dest} == {("ctaops_repack", "vo_repack")}
    assert sum(int(str(s["files"])) for s in dest) == len(by_tape[repacked])
    [rl] = sim4.ls("re", "ls", "-v", repacked)
    assert rl["status"] == "Complete"
    assert (tmp_path / "r1" / by_tape[t1][0]).exists()
    assert (tmp_path / "r2" / by_tape[t2][0]).exists()


def normalised(report: dict[str, object]) -> list[tuple[object, ...]]:
    s = sessions(report)
    t0 = int(str(s[0]["start"]))
    return [(x["drive"], x["vid"], x["mountType"], int(str(x["start"])) - t0, int(str(x["end"])) - t0) for x in s]


def test_same_seed_same_sessions_other_seed_other_times(sim_exe: str, tmp_path: Path) -> None:
    runs = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        sim = four_drives(sim_exe, tmp_path / name, [])
        admin_ok(sim, "vo", "ch", "--vo", "vo_user", "--wmd", "3")
        archive(sim, "ctaops_sc", 6)
        archive(sim, "sc_b", 6)
        runs.append(normalised(sim.ok("sim", "run", sim.dir, "--seed", seed, *CRITERIA, *SLOW)))
    assert runs[0] == runs[1]
    assert [r[:3] for r in runs[0]] == [r[:3] for r in runs[2]]  # same decisions
    assert runs[0] != runs[2]  # other robot and load times


def test_drive_ls_and_showqueues_show_the_live_state(sim4: Sim) -> None:
    admin_ok(sim4, "vo", "ch", "--vo", "vo_user", "--wmd", "3")
    archive(sim4, "ctaops_sc", 12)
    archive(sim4, "sc_b", 12)
    proc = subprocess.Popen(
        [sim4.exe, "sim", "run", str(sim4.dir), "--speed", "40", *CRITERIA, *SLOW],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    busiest: list[dict[str, object]] = []
    queued_while_busy = False
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        mounted = [d for d in sim4.ls("dr", "ls") if d.get("vid")]
        for vo, limit in (("vo_user", 3), ("vo_b", 1)):
            assert sum(1 for d in mounted if d.get("vo") == vo) <= limit, mounted
        if len(mounted) > len(busiest):
            busiest = mounted
            queued_while_busy = queued_while_busy or bool(sim4.ls("sq"))
        time.sleep(0.05)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["files_archived"] == 24
    assert len(busiest) == 4, busiest
    assert {str(d["driveStatus"]) for d in busiest} <= {"MOUNTING", "TRANSFERRING", "UNMOUNTING"}
    assert queued_while_busy


def test_a_second_run_on_the_same_instance_is_refused(sim4: Sim) -> None:
    archive(sim4, "ctaops_sc", 4)
    proc = subprocess.Popen(
        [sim4.exe, "sim", "run", str(sim4.dir), "--speed", "5", *SLOW],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not any(d.get("vid") for d in sim4.ls("dr", "ls")) and time.monotonic() < deadline:
            time.sleep(0.05)
        r = sim4.run("sim", "run", sim4.dir)
        assert r.returncode == 2
        assert "another `ctaops sim run` is running" in r.stderr
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
