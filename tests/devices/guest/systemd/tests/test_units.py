"""The shipped service and timer units under a real systemd: each tool runs in its sandbox as the
unit's user, a start while the same job runs starts nothing, and the timers are scheduled.

What docs/scheduling.md promises is checked as systemd does it, not as `systemd-analyze verify`
reads it: Result/ExecMainStatus of every service, the uid its output and files carry, the journal,
and for the overlap rule PID 1's own "Starting" messages and the tool's lock.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import (
    CONFIG,
    DROPINS,
    LAB,
    SLOW,
    STATE_DIR,
    UNIT_STARTED,
    UNIT_STARTING,
    UNITS,
    VENV_BIN,
    Lab,
    as_user,
    dropin,
    journal,
    message,
    must,
    now_us,
    remove_dropin,
    show,
    systemctl,
    tool_output,
    wait_for,
)

TOOLS = sorted(p.stem for p in UNITS.glob("*.service"))
TEXTFILE_DIR = Path("/var/lib/node_exporter/textfile_collector")
DEVICES_JSON = Path("/run/ctaops-vm/devices.json")
"""The map of tgt's libraries that ../vtl.py setup wrote (check.sh runs it before this suite)."""
# What each talkative tool prints on a normal run (the others only write files).
EXPECTED_OUTPUT = {
    "cta-ops-pool-supply": "eligible_before",
    "cta-ops-repack-monitor": "entered",
    "cta-ops-verification-feeder": "currently being verified",
    "cta-ops-data-monitoring": "downsampled_ctataped_tapeSessionFinished,",
}
# Signs of a sandbox in the way of a tool that still exited 0 (a tool that reports and carries on).
SANDBOX_DENIALS = ("Permission denied", "Read-only file system", "Operation not permitted", "Traceback")


def unit_user(tool: str) -> str:
    for line in (UNITS / f"{tool}.service").read_text().splitlines():
        if line.startswith("User="):
            return line.split("=", 1)[1]
    raise AssertionError(f"{tool}.service names no User=")


def files() -> dict[Path, os.stat_result]:
    """Files under the state directory (with the lab) and node_exporter's textfile directory."""
    roots = [root for root in (STATE_DIR, TEXTFILE_DIR) if root.is_dir()]
    return {p: p.lstat() for root in roots for p in root.rglob("*") if p.is_file()}


def written_since(since_us: int) -> dict[Path, os.stat_result]:
    return {p: st for p, st in files().items() if st.st_mtime_ns // 1000 >= since_us}


def test_pid1_is_systemd() -> None:
    """The guest booted systemd as PID 1 up to multi-user.target (this suite's unit is part of the
    boot, so the system is still "starting")."""
    assert Path("/proc/1/comm").read_text().strip() == "systemd"
    assert systemctl("is-active", "multi-user.target").stdout.strip() == "active"


@pytest.mark.parametrize("tool", TOOLS)
def test_service_runs_in_its_sandbox(lab: Lab, tool: str) -> None:
    """`systemctl start` of the shipped unit: the tool succeeds under the unit's hardening, as the
    unit's user, its output reaches the journal and every file it writes is group tape."""
    # A host without node_exporter (check.sh makes none): its directory is optional to every unit.
    assert not TEXTFILE_DIR.exists()
    unit = f"{tool}.service"
    override = None
    if tool == "cta-ops-data-monitoring":
        # The lab has no InfluxDB: the site drop-in a test host would use, a dry run on the
        # simulator's taped log (docs/data-monitoring.md).
        override = dropin(
            unit,
            f"[Service]\nExecStart=\nExecStart={VENV_BIN}/{tool} -C {CONFIG} --taped-logs {lab.taped_log} --dry-run\n",
        )
    before = set(files())
    since = now_us()
    time.sleep(0.01)
    try:
        started = systemctl("start", unit)
    finally:
        if override is not None:
            remove_dropin(override)
    entries = journal(unit, since)
    text = "\n".join(message(e) for e in entries)
    assert started.returncode == 0, f"{unit} failed: {started.stderr}\n{text}"
    props = show(unit, "Result", "ExecMainStatus", "ActiveState", "User")
    assert props == {"Result": "success", "ExecMainStatus": "0", "ActiveState": "inactive", "User": unit_user(tool)}
    assert not [d for d in SANDBOX_DENIALS if d in text], text

    uid = 0 if unit_user(tool) == "root" else lab.uid
    output = tool_output(entries, unit)
    if tool in EXPECTED_OUTPUT:
        assert EXPECTED_OUTPUT[tool] in text, text
        assert {e["_UID"] for e in output} == {str(uid)}
    written = written_since(since)
    assert written, f"{tool} wrote nothing under {STATE_DIR}"
    owners = {st.st_uid for st in written.values()}
    # A tape-local job leaves only tape-local's files; the drive tools (root without capabilities)
    # rewrite their own files and may append to the lab's, which stay tape-local's.
    assert uid in owners, {str(p): st.st_uid for p, st in written.items()}
    if uid == lab.uid:
        assert owners == {lab.uid}, {str(p): st.st_uid for p, st in written.items()}
    assert {st.st_gid for st in written.values()} == {lab.gid}, {str(p): st.st_gid for p, st in written.items()}
    created = {str(p): oct(st.st_mode) for p, st in written.items() if p not in before}
    assert not [p for p, mode in created.items() if int(mode, 8) & 0o007], f"UMask=0007 not applied: {created}"


def test_drive_tools_open_the_kernels_drives_in_their_sandbox(lab: Lab) -> None:
    """With the emulated library taken out of the config, the drive tools find tgt's drives in
    sysfs and send LOG SENSE through their /dev/sg nodes as root without capabilities, under
    DevicePolicy=closed with only char-sg and char-st allowed. tgt implements neither page, so
    every drive reads "not supported": a device the sandbox refused would be an "error" and exit 1."""
    assert DEVICES_JSON.exists(), "vtl.py setup did not run (results/vtl.log)"
    nst = {d["nst"] for lib in json.loads(DEVICES_JSON.read_text())["libraries"] for d in lib["drive_devices"]}
    original = CONFIG.read_text()
    emulated = f'library_state: "{LAB}/library/ctaops_lib1.json"'
    assert emulated in original, "the lab config no longer names its emulated library as expected"
    env_file = lab.dir / "metrics" / "drive-environmentals.json"
    env_before = len(env_file.read_text().splitlines()) if env_file.exists() else 0
    since = now_us()
    time.sleep(0.01)
    CONFIG.write_text(original.replace(emulated, 'library_state: ""'))
    try:
        for tool in ("cta-ops-drive-environmentals", "cta-ops-tape-alerting"):
            assert unit_user(tool) == "root"
            started = systemctl("start", f"{tool}.service")
            text = "\n".join(message(e) for e in journal(f"{tool}.service", since))
            assert started.returncode == 0, text
            assert not [d for d in SANDBOX_DENIALS if d in text], text
    finally:
        CONFIG.write_text(original)

    readings = [json.loads(line) for line in env_file.read_text().splitlines()[env_before:]]
    assert readings, "drive environmentals wrote no record"
    assert {r["drive_device"] for r in readings} <= nst
    assert [r for r in readings if "error" in r] == []
    assert all("not supported by this device" in r["not_supported"] for r in readings), readings

    unit = "cta-ops-tape-alerting.service"
    lines = [message(e) for e in tool_output(journal(unit, since), unit)]
    alerts = [json.loads(line) for line in lines if line.startswith("{")]
    assert sorted(r["drive"] for r in alerts if r.get("kind") == "not_supported") == sorted(nst), lines
    assert [r for r in alerts if r.get("kind") != "not_supported"] == []


def _tool_processes(tool: str) -> list[int]:
    """Processes anywhere on the guest running the tool's console script."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.decode(errors="replace").endswith(f"/{tool}") for a in argv[:2]):
            pids.append(int(proc.name))
    return pids


def test_a_start_while_the_job_runs_starts_no_second_process(lab: Lab) -> None:
    """docs/scheduling.md, "Overlap": a manual start and a timer elapsing while pool supply runs
    start nothing; a run outside systemd meets the tool's lock and exits 0; a blocking start waits
    for the running one and returns its result."""
    tool = "cta-ops-pool-supply"
    unit, timer = f"{tool}.service", f"{tool}.timer"
    lock = lab.dir / "log" / f"{tool}.lock"
    since = now_us()
    time.sleep(0.01)
    SLOW.write_text("10\n")
    short = None
    try:
        must("systemctl", "start", "--no-block", unit)

        def holds_lock() -> bool:
            state = show(unit, "ActiveState", "MainPID")
            held = lock.read_text().strip() if lock.exists() else ""
            return state["ActiveState"] == "activating" and held == state["MainPID"]

        wait_for("the first run to take its lock", holds_lock)
        pid = show(unit, "MainPID")["MainPID"]

        must("systemctl", "start", "--no-block", unit)
        short = dropin(timer, "[Timer]\nOnActiveSec=1s\nRandomizedDelaySec=0\n")
        must("systemctl", "start", timer)
        wait_for(
            "the timer to elapse", lambda: show(timer, "LastTriggerUSecMonotonic")["LastTriggerUSecMonotonic"] != "0"
        )
        assert show(unit, "ActiveState", "MainPID") == {"ActiveState": "activating", "MainPID": pid}
        assert _tool_processes(tool) == [int(pid)]

        direct = as_user(VENV_BIN / tool, "-C", CONFIG)
        assert direct.returncode == 0, direct.stderr
        assert f"another run holds the lock {lock} (pid {pid}): nothing done" in direct.stderr

        waited = time.monotonic()
        blocking = systemctl("start", unit)
        waited = time.monotonic() - waited
    finally:
        SLOW.unlink(missing_ok=True)
        systemctl("stop", timer)
        if short is not None:
            remove_dropin(short)
    assert blocking.returncode == 0, blocking.stderr
    assert waited > 1, "the blocking start returned at once: it did not wait for the running job"
    assert show(unit, "Result", "ExecMainStatus", "ActiveState") == {
        "Result": "success",
        "ExecMainStatus": "0",
        "ActiveState": "inactive",
    }
    entries = journal(unit, since)
    starts = [e for e in entries if e.get("MESSAGE_ID") == UNIT_STARTING]
    assert len(starts) == 1, [message(e) for e in entries]
    reports = [e for e in tool_output(entries, unit) if "eligible_before" in message(e)]
    assert [e["_PID"] for e in reports] == [pid], [message(e) for e in entries]


def test_every_timer_is_scheduled(lab: Lab) -> None:
    """`systemctl enable --now` of every timer: each is active, enabled and has a next elapse."""
    timers = [f"{tool}.timer" for tool in TOOLS]
    must("systemctl", "enable", "--now", *timers)
    for timer in timers:
        props = show(timer, "ActiveState", "UnitFileState", "NextElapseUSecRealtime")
        assert props["ActiveState"] == "active", (timer, props)
        assert props["UnitFileState"] == "enabled", (timer, props)
        assert props["NextElapseUSecRealtime"] not in ("", "n/a", "0"), (timer, props)
    listed = must("systemctl", "list-timers", "--all", "--no-pager", "cta-ops-*").stdout
    for timer in timers:
        [row] = [line for line in listed.splitlines() if timer in line]
        assert not row.startswith("n/a"), row


def test_a_timer_elapsing_runs_its_service(lab: Lab) -> None:
    """The repack monitor's timer, given a one-second OnActiveSec, starts the service, which succeeds."""
    tool = "cta-ops-repack-monitor"
    unit, timer = f"{tool}.service", f"{tool}.timer"
    since = now_us()
    time.sleep(0.01)
    short = dropin(timer, "[Timer]\nOnActiveSec=1s\nRandomizedDelaySec=0\n")
    try:
        must("systemctl", "restart", timer)
        wait_for(
            f"{timer} to run {unit}",
            lambda: any(e.get("MESSAGE_ID") == UNIT_STARTED for e in journal(unit, since)),
            timeout=300,
        )
    finally:
        remove_dropin(short)
    assert show(unit, "Result", "ExecMainStatus") == {"Result": "success", "ExecMainStatus": "0"}
    assert EXPECTED_OUTPUT[tool] in "\n".join(message(e) for e in tool_output(journal(unit, since), unit))
    assert not list(DROPINS.glob("cta-ops-*.d")), "a test left a drop-in behind"
    assert LAB.is_dir()
