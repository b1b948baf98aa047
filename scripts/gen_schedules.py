#!/usr/bin/env python3
"""Write every scheduler's view of the scheduled tools from the one table below.

The cron.d examples (packaging/cron), the systemd service and timer units (packaging/systemd) and
the Rundeck job definitions (packaging/rundeck) are generated, so a cadence or a command line
cannot differ between them. `scripts/gen_schedules.py` rewrites them; `--check` only reports the
files that differ from what it would write (tests/packaging/test_schedules.py runs it), exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = "/opt/ctaops/bin"
CONFIG = "/etc/cta-ops/cta-ops-config.yaml"
USER = "tape-local"  # the config template's global.default_user
GROUP = "tape"
LOG_DIR = "/var/log/cta-ops"
STATE_DIR = "/var/lib/cta-ops"
TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector"
# Namespace of the Rundeck job UUIDs: the same job keeps its UUID across regenerations, so a
# re-import updates the job instead of adding a copy.
RUNDECK_NS = uuid.UUID("5b0f3a52-8e0c-4a43-9a0e-6c7a1d2f0c21")


@dataclass(frozen=True)
class Job:
    """One scheduled tool: where it runs, when, and how its unit is confined."""

    tool: str
    host: str  # "frontend" (CTA operations host) or "tapeserver" (talks SCSI to local drives)
    group: str  # Rundeck group, below "cta-ops/"
    minute: str  # cron minute field: N, N,M or */N
    hour: str  # cron hour field: N or *
    description: str
    args: tuple[str, ...] = ()
    # "flock": the cron line takes a per-tool flock; "own": the tool's own run lock.
    lock: str = "flock"
    timeout: str = "1h"  # TimeoutStartSec: a hung run is killed so the next one can start
    randomized_delay: str = "0"
    persistent: bool = False  # a missed daily run is made up at boot; frequent ones need not be
    devices: bool = False  # needs the tape drives' /dev/sg* and /dev/st* nodes

    @property
    def cron_schedule(self) -> str:
        """The five cron.d time fields."""
        return f"{self.minute} {self.hour} * * *"

    @property
    def on_calendar(self) -> str:
        """The same times as a systemd calendar event."""
        return f"*-*-* {_calendar_field(self.hour)}:{_calendar_field(self.minute)}:00"

    @property
    def quartz(self) -> str:
        """Rundeck's crontab: seconds minute hour day-of-month month day-of-week year."""
        return f"0 {self.minute.replace('*/', '0/')} {self.hour} ? * * *"

    @property
    def argv(self) -> list[str]:
        """The command line every scheduler runs."""
        return [f"{BIN}/{self.tool}", "-C", CONFIG, *self.args]


def _calendar_field(cron: str) -> str:
    if cron.startswith("*/"):
        return f"00/{int(cron[2:]):02d}"
    if cron == "*":
        return "*"
    return ",".join(f"{int(v):02d}" for v in cron.split(","))


_ATRESYS = "ATRESYS step {}: moves each tape in the repack table one state along."
JOBS: tuple[Job, ...] = (
    Job("cta-ops-repack-0-scan", "frontend", "atresys", "15", "6",
        "ATRESYS step 0: selects repack candidates and enters them.", timeout="2h",
        randomized_delay="5min", persistent=True),
    Job("cta-ops-repack-1-prepare", "frontend", "atresys", "0,30", "*", _ATRESYS.format("1 (prepare)")),
    Job("cta-ops-repack-2-start", "frontend", "atresys", "2,32", "*", _ATRESYS.format("2 (start)")),
    Job("cta-ops-repack-3-end", "frontend", "atresys", "4,34", "*", _ATRESYS.format("3 (end)")),
    Job("cta-ops-repack-4-quarantine", "frontend", "atresys", "6,36", "*", _ATRESYS.format("4 (quarantine)")),
    Job("cta-ops-repack-5-reclaim", "frontend", "atresys", "8,38", "*", _ATRESYS.format("5 (reclaim)")),
    Job("cta-ops-repack-6-finish", "frontend", "atresys", "10,40", "*", _ATRESYS.format("6 (finish)")),
    Job("cta-ops-repack-monitor", "frontend", "atresys", "*/5", "*",
        "ATRESYS monitor: the repack table as JSON lines and Prometheus metrics.", timeout="4min",
        randomized_delay="30s"),
    Job("cta-ops-verification-feeder", "frontend", "verification", "20", "*",
        "Keeps the configured number of tapes under verification.", timeout="50min"),
    # No --metrics-file: a path in the command line made every run exit 1 on a host without
    # node_exporter's directory (the tool creates no directory outside log_dir/state_dir), and the
    # metrics belong where every other tool's go, <global.metrics.textfile_dir>/ctaops_pool_supply.prom
    # (or the tool's metrics_file key).
    Job("cta-ops-pool-supply", "frontend", "pool-supply", "*/15", "*",
        "Moves fresh tapes from supply pools into pools below numPartialTapes.", lock="own", timeout="14min",
        randomized_delay="1min"),
    Job("cta-ops-data-monitoring", "frontend", "monitoring", "30", "2",
        "Daily and monthly data volume aggregates from InfluxDB.", timeout="2h", randomized_delay="10min",
        persistent=True),
    Job("cta-ops-drive-environmentals", "tapeserver", "drives", "*/5", "*",
        "Temperature and humidity of every local drive, for monitoring.", timeout="4min",
        randomized_delay="30s", devices=True),
    Job("cta-ops-tape-alerting", "tapeserver", "drives", "*/10", "*",
        "TapeAlert flags and error counters of the local drives and their cartridges.",
        args=("--state", f"{STATE_DIR}/tape-alerting.json"), timeout="9min", randomized_delay="1min",
        devices=True),
)  # fmt: skip


def flock_path(job: Job) -> str:
    return f"{STATE_DIR}/{job.tool}.cron.lock"


def cron_command(job: Job) -> str:
    cmd = " ".join(["$VENV/" + job.tool, "-C", CONFIG, *job.args])
    if job.lock == "flock":
        # -E 0: an overlapping start is skipped quietly, not reported as a failed job.
        return f"flock -n -E 0 {flock_path(job)} {cmd}"
    return cmd


_CRON_HEADER = {
    "frontend": """\
# /etc/cron.d/cta-ops-frontend: scheduled ctaops tools on a CTA operations host.
# Generated by scripts/gen_schedules.py (with the systemd units and the Rundeck jobs): edit there.
# Use this, or the systemd timers, or Rundeck: not two of them for the same tool.
# Every tool reads /etc/cta-ops/cta-ops-config.yaml, logs to its own file under
# global.logging.log_dir, and is safe to run again if a previous run was killed. A start while the
# previous run of the same tool is still going is skipped (flock -n -E 0, exit 0; pool supply
# takes its own lock and says so): see docs/scheduling.md.
# ATRESYS steps move each tape one step along every 30 minutes; the offsets only spread the load
# (steps may overlap: they claim tapes in the database).
""",
    "tapeserver": """\
# /etc/cron.d/cta-ops-tapeserver: scheduled ctaops tools on a tape server.
# Generated by scripts/gen_schedules.py (with the systemd units and the Rundeck jobs): edit there.
# They talk SCSI to the local drives, so they run as root (the systemd units drop every
# capability instead); /var/log/cta-ops and /var/lib/cta-ops belong to group tape.
""",
}


def render_cron(host: str) -> str:
    lines = [_CRON_HEADER[host], "SHELL=/bin/sh", "PATH=/usr/bin:/bin", f"VENV={BIN}", ""]
    user = USER if host == "frontend" else "root"
    for job in (j for j in JOBS if j.host == host):
        lines.append(f"# {job.description}")
        lines.append(f"{job.cron_schedule:<13} {user}  {cron_command(job)}")
    return "\n".join(lines) + "\n"


_COMMON_SANDBOX = """\
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RemoveIPC=yes
PrivateMounts=yes
ProtectProc=invisible
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
UMask=0007
"""


def render_service(job: Job) -> str:
    if job.devices:
        # /dev/sg* are root-owned (root:disk on EL): root opens them as their owner, so the unit
        # runs as root with every capability dropped and only the SCSI generic and tape devices.
        identity = f"User=root\nGroup={GROUP}\n"
        devices = (
            "PrivateDevices=no\nDevicePolicy=closed\nDeviceAllow=char-sg rw\nDeviceAllow=char-st rw\n"
            "CapabilityBoundingSet=\n"
        )
    else:
        identity = f"User={USER}\nGroup={GROUP}\n"
        devices = "PrivateDevices=yes\nCapabilityBoundingSet=\n"
    return (
        "# Generated by scripts/gen_schedules.py: edit there. Site changes go into a drop-in\n"
        f"# (systemctl edit {job.tool}.service).\n"
        "[Unit]\n"
        f"Description=ctaops {job.tool}: {job.description}\n"
        "Documentation=file:/usr/share/doc/ctaops/scheduling.md\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        # A oneshot that is still active is not started again: a timer firing during a long run
        # does nothing, which is the concurrency rule (docs/scheduling.md).
        "Type=oneshot\n"
        f"ExecStart={' '.join(job.argv)}\n"
        f"TimeoutStartSec={job.timeout}\n"
        f"{identity}"
        f"ReadWritePaths=-{LOG_DIR} -{STATE_DIR} -{TEXTFILE_DIR}\n"
        f"{devices}"
        f"{_COMMON_SANDBOX}"
    )


def render_timer(job: Job) -> str:
    return (
        "# Generated by scripts/gen_schedules.py: edit there.\n"
        "[Unit]\n"
        f"Description=ctaops {job.tool} ({job.cron_schedule})\n"
        "Documentation=file:/usr/share/doc/ctaops/scheduling.md\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={job.on_calendar}\n"
        # The ATRESYS offsets are minutes apart: the default one-minute accuracy could merge them.
        "AccuracySec=1s\n"
        f"RandomizedDelaySec={job.randomized_delay}\n"
        f"Persistent={'true' if job.persistent else 'false'}\n"
        f"Unit={job.tool}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def _q(value: str) -> str:
    """Quote ``value`` for YAML (a JSON string is a valid YAML double-quoted scalar)."""
    return json.dumps(value)


def render_rundeck(host: str) -> str:
    out = [
        f"# Rundeck job definitions for the scheduled ctaops tools of a {host} node",
        "# (rd jobs load -f <this file> -F yaml -p <project>, or the GUI's Upload Definition).",
        "# Generated by scripts/gen_schedules.py (with the cron examples and the systemd units): edit",
        f"# there. Nodes tagged 'ctaops-{host}'; their ssh user should be {USER} (the config's",
        "# global.default_user) on ops hosts. multipleExecutions: false keeps a second start of a",
        "# running job from starting (see docs/scheduling.md).",
    ]
    for job in (j for j in JOBS if j.host == host):
        out += [
            f"- name: {_q(job.tool)}",
            f"  group: {_q('cta-ops/' + job.group)}",
            f"  description: {_q(job.description)}",
            f"  uuid: {_q(str(uuid.uuid5(RUNDECK_NS, job.tool)))}",
            "  executionEnabled: true",
            "  scheduleEnabled: true",
            "  multipleExecutions: false",
            "  loglevel: INFO",
            "  schedule:",
            f"    crontab: {_q(job.quartz)}",
            "  nodefilters:",
            f"    filter: {_q('tags: ctaops-' + host)}",
            "    dispatch:",
            "      threadcount: 1",
            "      keepgoing: true",
            "      excludePrecedence: true",
            "      rankOrder: ascending",
            "  nodesSelectedByDefault: true",
            "  sequence:",
            "    keepgoing: false",
            "    strategy: node-first",
            "    commands:",
            f"    - exec: {_q(' '.join(job.argv))}",
        ]
    return "\n".join(out) + "\n"


def outputs() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for host in ("frontend", "tapeserver"):
        files[ROOT / "packaging" / "cron" / f"cta-ops-{host}"] = render_cron(host)
        files[ROOT / "packaging" / "rundeck" / f"ctaops-{host}.yaml"] = render_rundeck(host)
    for job in JOBS:
        files[ROOT / "packaging" / "systemd" / f"{job.tool}.service"] = render_service(job)
        files[ROOT / "packaging" / "systemd" / f"{job.tool}.timer"] = render_timer(job)
    return files


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file differs")
    args = p.parse_args(argv)
    files = outputs()
    stale = []
    for directory in {path.parent for path in files}:
        for extra in sorted(directory.glob("*")):
            if extra not in files:
                stale.append(f"{extra.relative_to(ROOT)}: not generated (remove it or add its job)")
    for path, text in files.items():
        if path.exists() and path.read_text() == text:
            continue
        if args.check:
            stale.append(f"{path.relative_to(ROOT)}: differs from scripts/gen_schedules.py's output")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for line in sorted(stale):
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
