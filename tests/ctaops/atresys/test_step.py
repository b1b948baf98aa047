"""Crash injection (``CTAOPS_CRASH_AT``) at every point of every step, then resume; concurrent runs.

Mirrors ``ctaops/atresys/step.py``: the claim, release and crash machinery every step shares.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.ctaops.atresys.conftest import QUARANTINE, SUFFIX, USER_TAPES, Env, script

ORDER = ("1-prepare", "2-start", "3-end", "4-quarantine", "5-reclaim", "6-finish")
TARGET = {
    "1-prepare": "entered",
    "2-start": "started",
    "3-end": "repacked",
    "4-quarantine": "quarantined",
    "5-reclaim": "reclaimed",
    "6-finish": "finished",
}
CRASH_POINTS = [
    ("1-prepare", "prepare:after-add"),
    ("2-start", "start:after-state-change"),
    ("2-start", "start:after-listing"),
    ("2-start", "start:after-repack-add"),
    ("3-end", "end:after-stats"),
    ("4-quarantine", "quarantine:after-repack-rm"),
    ("4-quarantine", "quarantine:after-pool-change"),
    ("5-reclaim", "reclaim:after-reclaim"),
    ("6-finish", "finish:after-pool-change"),
]


def outside_world(env: Env, name: str) -> None:
    """What happens between two steps: the repacks run, the days pass."""
    if name == "2-start":
        env.sim_run("--until-idle")
    if name == "4-quarantine":
        env.advance_sim_clock()


def run_before(env: Env, name: str) -> None:
    """Take the tapes to the state just before step ``name``."""
    for s in ORDER[: ORDER.index(name)]:
        env.step(s)
        outside_world(env, s)


def check_clean_end(env: Env) -> None:
    """Everything finished exactly as in a clean run."""
    rows = env.rows()
    assert {v: (r.state, r.mode) for v, r in rows.items()} == dict.fromkeys(USER_TAPES, ("finished", "auto"))
    for vid in USER_TAPES:
        adv = [h.to_value for h in env.store().history(vid) if h.action == "advance"]
        assert adv == ["started", "repacked", "quarantined", "reclaimed", "finished"], (vid, adv)
        assert [h.action for h in env.store().history(vid)].count("add") == 1
        t = env.tape(vid)
        assert (t["tapepool"], t["full"], t["lastFseq"]) == (f"tolabel{SUFFIX}", False, "0")
    stats = [json.loads(line)["tape"] for line in env.end_json.read_text().splitlines()]
    assert sorted(stats) == sorted(USER_TAPES)  # one statistics line per repack, none twice


@pytest.mark.parametrize(("name", "point"), CRASH_POINTS, ids=[p for _, p in CRASH_POINTS])
def test_step_resumes_after_crash(env: Env, name: str, point: str) -> None:
    run_before(env, name)
    r = env.step(name, env={"CTAOPS_CRASH_AT": point}, check=False)
    assert r.returncode == 99, (r.stdout, r.stderr)
    assert f"injected crash at {point}" in r.stderr
    env.wait_lease()
    env.step(name)
    assert {r.state for r in env.rows().values()} == {TARGET[name]}
    outside_world(env, name)
    # then the rest of the cycle, as if nothing had happened
    for s in ORDER[ORDER.index(name) + 1 :]:
        env.step(s)
        outside_world(env, s)
    check_clean_end(env)


def test_monitor_resumes_after_crash(env: Env) -> None:
    env.step("1-prepare")
    r = env.step("monitor", env={"CTAOPS_CRASH_AT": "monitor:after-ls-out"}, check=False)
    assert r.returncode == 99
    assert not env.prom.exists()
    env.step("monitor")
    assert "ctaops_repack_tapes" in env.prom.read_text()


def counting_admin(env: Env) -> Path:
    """A cta-admin that logs each call and is slow enough for two runs to overlap."""
    log = env.tmp / "calls.log"
    wrapper = env.tmp / "slow-cta-admin"
    real = env.sim / "bin" / "cta-admin"
    wrapper.write_text(f"#!/bin/sh\necho \"$*\" >> '{log}'\nsleep 0.05\nexec '{real}' \"$@\"\n")
    wrapper.chmod(0o755)
    env.doc["global"]["binaries"]["cta-admin"] = str(wrapper)
    env.rewrite_config(lease_seconds=600)
    return log


@pytest.mark.parametrize("name", ORDER)
def test_two_concurrent_runs_do_no_double_work(env: Env, name: str) -> None:
    run_before(env, name)
    log = counting_admin(env)
    procs = [
        subprocess.Popen(
            [script(f"cta-ops-repack-{name}"), "-C", str(env.config), "-j"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    done = Counter(
        o["tape"] for out, _ in outs for o in json.loads(out) if o["action"] == TARGET[name]
    )  # each tape advanced by exactly one of the two runs
    assert done == dict.fromkeys(USER_TAPES, 1), outs
    rows = env.rows()
    assert {(r.state, r.mode) for r in rows.values()} == {(TARGET[name], "auto")}
    for vid in USER_TAPES:
        hist = [h for h in env.store().history(vid) if h.action in ("add", "advance")]
        assert [h.to_value for h in hist].count(TARGET[name]) == 1 or name == "1-prepare"
        assert [h.action for h in hist].count("add") == 1
    calls = log.read_text().splitlines()
    side_effects = {
        "2-start": "repack add",
        "4-quarantine": f"--tapepool {QUARANTINE}",
        "5-reclaim": "tape reclaim",
        "6-finish": f"--tapepool tolabel{SUFFIX}",
    }
    if name in side_effects:
        for vid in USER_TAPES:
            n = sum(1 for c in calls if side_effects[name] in c and f"--vid {vid}" in c)
            assert n == 1, (vid, [c for c in calls if vid in c])
