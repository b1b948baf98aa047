"""``cta-ops-repack-monitor``: JSON lines for Fluentd, Prometheus metrics, the table."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ctaops.atresys.conftest import Env


def metric(text: str, name: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.split()[-1])


def test_monitor_writes_json_lines_and_metrics(env: Env) -> None:
    env.step("1-prepare")
    env.rewrite_config(max_active_repacks=1)
    env.step("2-start")
    env.store().set_mode("V00002", "manual", reason="held")
    r = env.step("monitor")
    assert "tape" in r.stdout.splitlines()[0]
    assert len(r.stdout.splitlines()) >= 4
    lines = [json.loads(x) for x in env.ls_out.read_text().splitlines()]
    assert len(lines) == 3
    by = {d["tape"]: d for d in lines}
    started = next(v for v, d in by.items() if d["state"] == "started")
    assert by["V00002"]["mode"] == "manual"
    assert all(d["timestamp"].endswith("Z") and d["files"] > 0 for d in lines)
    prom = env.prom.read_text()
    assert 'ctaops_repack_tapes{state="started",mode="auto"} 1' in prom
    entered_auto = sum(1 for d in lines if d["state"] == "entered" and d["mode"] == "auto")
    assert f'ctaops_repack_tapes{{state="entered",mode="auto"}} {entered_auto}' in prom
    assert 'ctaops_repack_tapes{state="finished",mode="auto"} 0' in prom
    assert metric(prom, "ctaops_repack_in_flight_bytes") == by[started]["bytes"] > 0
    assert metric(prom, "ctaops_repack_oldest_job_age_seconds") >= 0
    assert 'ctaops_repack_last_run_success{step="monitor"} 1' in prom
    assert "# TYPE ctaops_repack_last_run_timestamp_seconds gauge" in prom
    # a second run appends, never rewrites
    env.step("monitor")
    assert len(env.ls_out.read_text().splitlines()) == 6


def test_monitor_prints_metrics_and_json(env: Env) -> None:
    env.step("1-prepare", "V00001")
    out = env.step("monitor", "--prometheus", "-").stdout
    assert "# TYPE ctaops_repack_tapes gauge" in out
    assert 'ctaops_repack_tapes{state="entered",mode="auto"} 1' in out
    rows = json.loads(env.step("monitor", "-j").stdout)
    assert [(d["tape"], d["state"]) for d in rows] == [("V00001", "entered")]
    before = env.ls_out.read_text()
    env.step("monitor", "--dry-run")
    assert env.ls_out.read_text() == before


def test_every_step_writes_its_textfile(env: Env) -> None:
    textfiles = Path(env.doc["global"]["metrics"]["textfile_dir"])
    env.step("1-prepare", "V00001")
    prom = (textfiles / "ctaops_repack_prepare.prom").read_text()
    assert 'ctaops_repack_last_run_success{step="prepare"} 1' in prom
    assert 'ctaops_repack_step_tapes{step="prepare",action="entered"} 1' in prom
    assert float(prom.split('ctaops_repack_last_run_duration_seconds{step="prepare"} ')[1].split()[0]) >= 0
    # A failing run still writes its file, marked failed: a tape not in the table is an error.
    r = env.step("1-prepare", "NOSUCH", check=False)
    assert r.returncode == 1
    prom = (textfiles / "ctaops_repack_prepare.prom").read_text()
    assert 'ctaops_repack_last_run_success{step="prepare"} 0' in prom
    # A dry run leaves the file alone.
    before = (textfiles / "ctaops_repack_start.prom").exists()
    env.step("2-start", "--dry-run")
    assert (textfiles / "ctaops_repack_start.prom").exists() == before
