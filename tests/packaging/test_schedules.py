"""Scheduled tools: systemd units, Rundeck jobs and cron lines say the same, and systemd accepts them."""

from __future__ import annotations

import datetime as dt
import fcntl
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ctaops.utils.config import load_yaml

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "packaging" / "systemd"
RUNDECK = sorted((ROOT / "packaging" / "rundeck").glob("*.yaml"))
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
_SCRIPTS_SECTION = (ROOT / "pyproject.toml").read_text().split("[project.scripts]", 1)[1].split("\n[", 1)[0]
SCRIPTS = set(re.findall(r"^([\w.-]+)\s*=", _SCRIPTS_SECTION, re.M))
# Console scripts an operator runs by hand. A new console script must land here or get a
# schedule in scripts/gen_schedules.py: test_every_console_script_is_classified says which.
INTERACTIVE = {
    "ctaops",
    "cta-ops-repack-manager",
    "cta-ops-drive-config-generate",
    "cta-ops-verify-tape",
    "cta-ops-admin",
    "cta-ops-get-path-from-eos",
    "cta-ops-change-storage-class",
    "cta-ops-change-storageclass",
}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_schedules", ROOT / "scripts" / "gen_schedules.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_schedules"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()


def unit_values(path: Path, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in path.read_text().splitlines() if line.startswith(f"{key}=")]


def test_generated_files_are_current() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_schedules.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, f"run scripts/gen_schedules.py:\n{r.stderr}"


def test_every_console_script_is_classified() -> None:
    timers = {p.stem for p in UNITS.glob("*.timer")}
    services = {p.stem for p in UNITS.glob("*.service")}
    assert timers == services
    assert timers | INTERACTIVE == SCRIPTS, "scheduled tools + interactive tools must be all console scripts"
    assert not timers & INTERACTIVE


def _stubbed_copies(tmp_path: Path) -> list[str]:
    """Copies of the units whose ExecStart names stub executables (verify insists that it exists)."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    copies = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text()
        if unit.suffix == ".service":
            (tool,) = re.findall(r"^ExecStart=/opt/ctaops/bin/(\S+) ", text, re.M)
            stub = stubs / tool
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
            text = text.replace("/opt/ctaops/bin/", f"{stubs}/")
        copy = tmp_path / unit.name
        copy.write_text(text)
        copies.append(str(copy))
    return copies


@needs_systemd
def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    copies = _stubbed_copies(tmp_path)
    r = subprocess.run([str(SYSTEMD_ANALYZE), "verify", *copies], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr  # unknown keys are only warnings: none allowed


@needs_systemd
def test_systemd_rates_every_service_well_confined(tmp_path: Path) -> None:
    """systemd-analyze security's exposure (0-10, shown as 1.5 for 15): at most 2.0, "OK" is < 4.9."""
    services = [c for c in _stubbed_copies(tmp_path) if c.endswith(".service")]
    r = subprocess.run(
        [str(SYSTEMD_ANALYZE), "security", "--offline=yes", "--threshold=20", "--no-pager", *services],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, "\n".join(line for line in r.stdout.splitlines() if "Overall exposure" in line)


@pytest.mark.parametrize("job", GEN.JOBS, ids=lambda j: j.tool)
def test_service_runs_the_tool_sandboxed(job: Any) -> None:
    service = UNITS / f"{job.tool}.service"
    assert unit_values(service, "Type") == ["oneshot"]
    assert unit_values(service, "ExecStart")[0].startswith(
        f"/opt/ctaops/bin/{job.tool} -C /etc/cta-ops/cta-ops-config.yaml"
    )
    for key, value in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("CapabilityBoundingSet", ""),
    ]:
        assert unit_values(service, key) == [value], key
    assert "-/var/log/cta-ops" in unit_values(service, "ReadWritePaths")[0].split()
    if job.devices:
        assert unit_values(service, "PrivateDevices") == ["no"]
        assert unit_values(service, "DevicePolicy") == ["closed"]
        assert unit_values(service, "DeviceAllow") == ["char-sg rw", "char-st rw"]
    else:
        assert unit_values(service, "User") == ["tape-local"]
        assert unit_values(service, "Group") == ["tape"]
        assert unit_values(service, "PrivateDevices") == ["yes"]


def _cron_values(field: str, top: int) -> set[int]:
    if field == "*":
        return set(range(top))
    if field.startswith("*/"):
        return set(range(0, top, int(field[2:])))
    return {int(v) for v in field.split(",")}


def _cron_next(minute: str, hour: str, base: dt.datetime, count: int) -> list[dt.datetime]:
    minutes, hours = _cron_values(minute, 60), _cron_values(hour, 24)
    out, t = [], base
    while len(out) < count:
        t += dt.timedelta(minutes=1)
        if t.minute in minutes and t.hour in hours:
            out.append(t)
    return out


@needs_systemd
@pytest.mark.parametrize("job", GEN.JOBS, ids=lambda j: j.tool)
def test_timer_fires_when_cron_does(job: Any) -> None:
    """systemd's own calendar parser, against the cron fields the cron.d line and Rundeck use."""
    timer = UNITS / f"{job.tool}.timer"
    (calendar,) = unit_values(timer, "OnCalendar")
    base = dt.datetime(2026, 3, 1, 23, 7)
    r = subprocess.run(
        [str(SYSTEMD_ANALYZE), "calendar", "--iterations=30", f"--base-time={base:%Y-%m-%d %H:%M:%S} UTC", calendar],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
    )
    fired = [dt.datetime.strptime(m, "%Y-%m-%d %H:%M:%S") for m in re.findall(r"\w{3} (\S+ \S+) UTC", r.stdout)]
    assert fired == _cron_next(job.minute, job.hour, base, 30)
    assert unit_values(timer, "Unit") == [f"{job.tool}.service"]


def _cron_lines() -> dict[str, tuple[str, str, str]]:
    """tool -> (minute, hour, command) of every line of the cron.d examples."""
    jobs = {}
    for path in (ROOT / "packaging" / "cron").iterdir():
        for line in path.read_text().splitlines():
            fields = line.split(None, 6)
            if len(fields) == 7 and not line.startswith("#"):
                tool = re.search(r"\$VENV/(\S+)", fields[6])
                assert tool, line
                jobs[tool.group(1)] = (fields[0], fields[1], fields[6])
    return jobs


def test_rundeck_jobs_match_the_timers_and_cron() -> None:
    assert [p.name for p in RUNDECK] == ["ctaops-frontend.yaml", "ctaops-tapeserver.yaml"]
    cron = _cron_lines()
    seen = set()
    for path in RUNDECK:
        jobs = load_yaml(str(path))
        assert isinstance(jobs, list), path.name
        assert jobs, path.name
        for job in jobs:
            name = job["name"]
            seen.add(name)
            assert job["multipleExecutions"] is False
            assert job["loglevel"] == "INFO"
            assert job["group"].startswith("cta-ops/")
            assert job["nodefilters"]["filter"] == f"tags: {path.stem}"
            (command,) = job["sequence"]["commands"]
            (exec_start,) = unit_values(UNITS / f"{name}.service", "ExecStart")
            assert command["exec"] == exec_start
            seconds, minute, hour, dom, month, dow, year = job["schedule"]["crontab"].split()
            assert (seconds, dom, month, dow, year) == ("0", "?", "*", "*", "*")
            cron_minute, cron_hour, cron_command = cron[name]
            assert (minute, hour) == (cron_minute.replace("*/", "0/"), cron_hour)
            assert cron_command.endswith(exec_start.removeprefix("/opt/ctaops/bin/"))
    assert seen == {p.stem for p in UNITS.glob("*.timer")} == set(cron)
    uuids = [job["uuid"] for path in RUNDECK for job in load_yaml(str(path))]
    assert len(set(uuids)) == len(uuids)


FLOCK = shutil.which("flock")


@pytest.mark.skipif(FLOCK is None, reason="flock (util-linux) is not installed")
def test_cron_line_skips_a_start_while_the_previous_run_holds_the_lock(tmp_path: Path) -> None:
    """The monitor's cron command as cron runs it (sh -c), with the lock and the venv moved to tmp."""
    (_, _, command) = _cron_lines()["cta-ops-repack-monitor"]
    lock = tmp_path / "monitor.cron.lock"
    command = command.replace("/var/lib/cta-ops/cta-ops-repack-monitor.cron.lock", str(lock))
    command = command.replace("/etc/cta-ops/cta-ops-config.yaml", str(tmp_path / "absent.yaml"))
    env = {"PATH": "/usr/bin:/bin", "VENV": str(Path(sys.executable).parent)}

    def cron_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", "-c", command], capture_output=True, text=True, env=env, timeout=60, check=False
        )

    with open(lock, "w") as held:  # a run still going
        fcntl.flock(held, fcntl.LOCK_EX)
        skipped = cron_run()
    assert (skipped.returncode, skipped.stdout, skipped.stderr) == (0, "", "")  # no mail, no failure
    ran = cron_run()  # the lock is free: the tool itself runs and refuses the missing config
    assert ran.returncode != 0
    assert "absent.yaml" in ran.stderr
    assert "Traceback" not in ran.stderr


@pytest.mark.parametrize("job", GEN.JOBS, ids=lambda j: j.tool)
def test_scheduling_doc_table_says_what_the_table_generates(job: Any) -> None:
    doc = (ROOT / "docs" / "scheduling.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith(f"| `{job.tool}` | ")]
    assert rows, f"docs/scheduling.md has no row for {job.tool}"
    cells = [c.strip().strip("`") for c in rows[0].split("|")[1:-1]]
    assert cells[2] == f"{job.minute} {job.hour}"
    assert cells[3] == job.on_calendar
    assert cells[5] == ("yes" if job.persistent else "no")
