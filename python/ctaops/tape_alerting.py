"""``cta-ops-tape-alerting``: TapeAlert and error-counter alerting, per drive and bird's-eye.

Sources (one per run):

* local drives (default): the TapeAlert flags (LOG SENSE 0x2E) and the uncorrected read/write
  error counters (pages 0x02/0x03) of every drive of this host, with the loaded cartridge's VID;
* ``--log FILE`` (repeatable): cta-taped log lines (text ``key="value"`` or JSON lines) carrying
  ``Error_<alert>`` counters, with ``tapeVid`` and ``tapeDrive`` naming the cartridge and drive.

Each alert is classified (the TapeAlert flag's severity: information, warning, critical; a
log counter is matched to its flag by name, else counts as a warning; error counters are
warnings), filtered by ``--min-severity`` and emitted as JSON lines (``--output-file``, default
stdout), as Prometheus textfile metrics (``--prometheus FILE``, else
``<global.metrics.textfile_dir>/ctaops_tape_alerting.prom``: ``ctaops_tape_alerting_alerts``,
``..._alerts_by_severity``, ``..._suspects``, ``..._drive_errors`` and the standard run metrics) and mailed
(``--mail``, through ``global.binaries.sendmail`` to ``global.email.recipients``).

Bird's-eye view (``--state FILE``): the alerts of every run are kept in a JSON state file for
``--window-days``; a drive that raised warnings with ``--drive-threshold`` different
cartridges is flagged as a suspect drive, a cartridge that raised warnings in
``--cartridge-threshold`` different drives as a suspect cartridge (records with
``"kind": "suspect_drive"`` / ``"suspect_cartridge"``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ctaops import _toolcli
from ctaops.drive import TAPEALERT_FLAGS, TapeAlertFlag
from ctaops.errors import CtaOpsError
from ctaops.utils.files import make_parent, write_atomic
from ctaops.utils.inputs import positive_int
from ctaops.utils.metrics import Registry, ToolRun, textfile_path

PROG = "cta-ops-tape-alerting"
SEVERITIES = ("information", "warning", "critical")
TOOL_ID = "tape_alerting"
"""The metrics' tool id: ``ctaops_tape_alerting_*`` in ``ctaops_tape_alerting.prom``."""


@dataclass(frozen=True)
class Alert:
    """One alert: a TapeAlert flag set, a non-zero error counter, or an ``Error_`` log counter."""

    time: float
    drive: str
    vid: str
    source: str
    """``tapealert``, ``error_counter`` or ``log``."""
    name: str
    severity: str
    count: int = 1
    code: int | None = None
    action: str = ""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_BY_NAME: dict[str, TapeAlertFlag] = {_norm(f.name): f for f in TAPEALERT_FLAGS}


def flag_for(name: str) -> TapeAlertFlag | None:
    """Return the TapeAlert flag a log counter name means (``Error_HardError``, ``hard error`` …)."""
    n = _norm(name.removeprefix("Error_"))
    return _BY_NAME.get(n) or next((f for k, f in _BY_NAME.items() if n and (k.startswith(n) or n.startswith(k))), None)


def severity_rank(s: str) -> int:
    """Order of severities (unknown ones rank as warnings)."""
    return SEVERITIES.index(s) if s in SEVERITIES else 1


def from_drive_status(drive: str, status: Any, when: float) -> list[Alert]:
    """Alerts of one :class:`ctaops.drive.DriveStatus`."""
    cm = status.cartridge_memory
    vid = ((cm.barcode or "") if cm else "").split(" ")[0][:6]
    out = [Alert(when, drive, vid, "tapealert", f.name, f.severity, 1, f.code, f.action) for f in status.tapealert]
    for key in ("read_errors_uncorrected", "write_errors_uncorrected"):
        n = getattr(status, key)
        if n:
            out.append(
                Alert(
                    when, drive, vid, "error_counter", key, "warning", int(n), None, "check the drive and the cartridge"
                )
            )
    return out


_KV = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def _fields(line: str) -> dict[str, str]:
    s = line.strip()
    if s.startswith("{"):
        try:
            doc = json.loads(s)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            return {str(k): str(v) for k, v in doc.items()}
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _KV.finditer(s)}


def from_log_lines(lines: Iterable[str], when: float) -> Iterator[Alert]:
    """Alerts from cta-taped log lines with ``Error_<alert>`` counters."""
    for line in lines:
        if "Error_" not in line:
            continue
        f = _fields(line)
        drive = f.get("tapeDrive") or f.get("drive") or f.get("DriveName") or "unknown"
        vid = f.get("tapeVid") or f.get("vid") or f.get("TPVID") or ""
        t = when
        for key in ("epoch_time", "epoch"):
            try:
                t = float(f[key])
                break
            except (KeyError, ValueError):
                pass
        for k, v in f.items():
            if not k.startswith("Error_"):
                continue
            try:
                n = int(float(v))
            except ValueError:
                continue
            if n <= 0:
                continue
            flag = flag_for(k)
            yield Alert(
                t,
                drive,
                vid,
                "log",
                flag.name if flag else k.removeprefix("Error_"),
                flag.severity if flag else "warning",
                n,
                flag.code if flag else None,
                flag.action if flag else "",
            )


def birdseye(
    events: Sequence[Mapping[str, Any]], *, drive_threshold: int, cartridge_threshold: int
) -> list[dict[str, Any]]:
    """Suspect drives (alerts with many cartridges) and cartridges (alerts in many drives)."""
    per_drive: dict[str, set[str]] = {}
    per_vid: dict[str, set[str]] = {}
    count_drive: dict[str, int] = {}
    count_vid: dict[str, int] = {}
    for e in events:
        if severity_rank(str(e.get("severity"))) < 1:
            continue
        drive, vid = str(e.get("drive", "")), str(e.get("vid", ""))
        if drive and vid:
            per_drive.setdefault(drive, set()).add(vid)
            per_vid.setdefault(vid, set()).add(drive)
        count_drive[drive] = count_drive.get(drive, 0) + int(e.get("count", 1))
        count_vid[vid] = count_vid.get(vid, 0) + int(e.get("count", 1))
    out: list[dict[str, Any]] = [
        {"kind": "suspect_drive", "drive": d, "cartridges": sorted(v), "alerts": count_drive[d]}
        for d, v in sorted(per_drive.items())
        if len(v) >= drive_threshold
    ]
    out += [
        {"kind": "suspect_cartridge", "vid": c, "drives": sorted(d), "alerts": count_vid[c]}
        for c, d in sorted(per_vid.items())
        if len(d) >= cartridge_threshold
    ]
    return out


def update_state(path: str, alerts: Sequence[Alert], now: float, window_days: float) -> list[dict[str, Any]]:
    """Add ``alerts`` to the state file, drop events older than the window; returns the events kept."""
    events: list[dict[str, Any]] = []
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except ValueError as e:
            raise _toolcli.ToolExit(1, f"state file {path} is not valid JSON ({e}): move it away") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
            raise _toolcli.ToolExit(1, f"state file {path} has no events list: move it away")
        events = doc["events"]
    events += [asdict(a) for a in alerts]
    cutoff = now - window_days * 86400
    events = [e for e in events if float(e.get("time", 0)) >= cutoff]
    write_atomic(path, json.dumps({"version": 1, "events": events}))
    return events


def add_metrics(
    reg: Registry, alerts: Sequence[Alert], suspects: Sequence[Mapping[str, Any]], drive_errors: int = 0
) -> None:
    """Add this run's alerts, the bird's-eye suspects and the unreadable drives to ``reg``."""
    alert = reg.gauge(
        "alerts", "Alerts raised in this run (value: count).", ("drive", "vid", "name", "severity", "source")
    )
    for a in alerts:
        alert.inc(a.count, drive=a.drive, vid=a.vid, name=a.name, severity=a.severity, source=a.source)
    by_severity = reg.gauge("alerts_by_severity", "Alerts raised in this run by severity.", ("severity",))
    for sev in SEVERITIES:
        by_severity.set(sum(a.count for a in alerts if a.severity == sev), severity=sev)
    suspect = reg.gauge("suspects", "Bird's-eye suspects (1: flagged) by kind and drive or VID.", ("kind", "id"))
    for s in suspects:
        what = s.get("drive") if s["kind"] == "suspect_drive" else s.get("vid")
        suspect.set(1, kind=s["kind"], id=what)
    reg.gauge("drive_errors", "Drives whose status could not be read in this run.").set(drive_errors)


def prometheus(alerts: Sequence[Alert], suspects: Sequence[Mapping[str, Any]]) -> str:
    """Return this run's alerts and the suspects in the text format (without the standard run metrics)."""
    reg = Registry(TOOL_ID)
    add_metrics(reg, alerts, suspects)
    return reg.render()


def _local_alerts(
    config: Any, sysfs: str, now: float, unsupported: list[dict[str, str]]
) -> tuple[list[Alert], list[str]]:
    """Alerts of this host's drives; drives without TapeAlert go to ``unsupported``."""
    from ctaops.localdrives import local_drives  # noqa: PLC0415  (needs the extension only here)

    alerts: list[Alert] = []
    errors: list[str] = []
    drives = local_drives(config, sysfs)
    if not drives:
        raise _toolcli.ToolExit(1, "no tape drives found on this host (give --log FILE to read cta-taped logs)")
    for d in drives:
        name = d.device or d.sg or d.serial
        try:
            status = d.open().status()
        except CtaOpsError as e:
            errors.append(f"{name}: {e}")
            continue
        if "tapealert" in status.unsupported:
            # No alert page is not "no alerts": say so for this drive, as a record of its own.
            unsupported.append(
                {
                    "kind": "not_supported",
                    "drive": name,
                    "detail": "TapeAlert (LOG SENSE 0x12/0x2E): not supported by this device",
                }
            )
        alerts += from_drive_status(name, status, now)
    return alerts, errors


def _records(
    shown: list[Alert], suspects: list[dict[str, Any]], unsupported: list[dict[str, str]], now: float
) -> list[dict[str, Any]]:
    """Build the output lines: alerts, then bird's-eye suspects, then drives without TapeAlert."""
    host = socket.gethostname()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    records: list[dict[str, Any]] = [{"timestamp": stamp, "hostname": host, **asdict(a)} for a in shown]
    records += [{"timestamp": stamp, "hostname": host, **s} for s in suspects]
    records += [{"timestamp": stamp, "hostname": host, **u} for u in unsupported]
    return records


def main(argv: list[str] | None = None) -> int:
    """Run the tool; see the module docstring."""
    from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --help fast)

    p = _toolcli.parser(PROG, "TapeAlert and error-counter alerting for tape drives and cartridges.")
    p.add_argument("--log", action="append", metavar="FILE", help="read cta-taped log lines (Error_<alert> counters)")
    p.add_argument("--min-severity", choices=SEVERITIES, default="warning", help="report from this severity up")
    p.add_argument("--output-file", default="-", help="append JSON lines here (default: stdout)")
    p.add_argument(
        "--prometheus",
        metavar="FILE",
        help=f"write the Prometheus textfile here (default: <global.metrics.textfile_dir>/ctaops_{TOOL_ID}.prom)",
    )
    p.add_argument("--mail", action="store_true", help="mail the alerts (global.email, global.binaries.sendmail)")
    p.add_argument("--state", metavar="FILE", help="bird's-eye state file: keep alerts over time")
    p.add_argument("--window-days", type=float, default=30.0, help="how long the state keeps alerts")
    p.add_argument("--drive-threshold", type=positive_int, default=3, help="cartridges with alerts to flag a drive")
    p.add_argument("--cartridge-threshold", type=positive_int, default=2, help="drives with alerts to flag a cartridge")
    p.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.window_days <= 0:
        p.error("--window-days must be > 0")
    config = load_config(args.config_file, PROG)
    log = _toolcli.setup_logging(PROG, args.verbose, config=config, log_json=args.log_json)
    path = textfile_path(config, TOOL_ID, override=args.prometheus)
    with ToolRun(TOOL_ID, path, roots=[config.logging.log_dir, config.metrics.textfile_dir]) as metrics:
        return metrics.done(_run(args, config, log, metrics.registry))


def _run(args: argparse.Namespace, config: Any, log: logging.Logger, reg: Registry) -> int:
    """Collect, classify, report and mail the alerts; fill ``reg``; the exit status."""
    now = time.time()
    errors: list[str] = []
    unsupported: list[dict[str, str]] = []
    if args.log:
        alerts: list[Alert] = []
        for path in args.log:
            with open(path, encoding="utf-8", errors="replace") as f:
                alerts += from_log_lines(f, now)
    else:
        alerts, errors = _local_alerts(config, args.sysfs, now, unsupported)
    floor = severity_rank(args.min_severity)
    shown = [a for a in alerts if severity_rank(a.severity) >= floor]
    suspects: list[dict[str, Any]] = []
    if args.state:
        events = update_state(args.state, alerts, now, args.window_days)
        suspects = birdseye(events, drive_threshold=args.drive_threshold, cartridge_threshold=args.cartridge_threshold)
    add_metrics(reg, shown, suspects, len(errors))
    records = _records(shown, suspects, unsupported, now)
    text = "".join(json.dumps(r) + "\n" for r in records)
    log.info("%d alert(s) at or above %s, %d suspect(s)", len(shown), args.min_severity, len(suspects))
    if args.output_file == "-":
        print(text, end="")
    else:
        make_parent(args.output_file, [config.logging.log_dir])
        with open(args.output_file, "a", encoding="utf-8") as f:
            f.write(text)
    if args.mail and (shown or suspects):
        from ctaops.utils.mail import send_mail  # noqa: PLC0415

        body = "\n".join(json.dumps(r, indent=1) for r in records)
        host = socket.gethostname()
        send_mail(f"[{PROG}] {host}: {len(shown)} alert(s), {len(suspects)} suspect(s)", body, config=config)
        log.info("mailed %d records", len(records))
    for e in errors:
        log.error("%s", e)
    return 1 if errors else 0


def console() -> None:
    """Console-script entry point."""
    _toolcli.run(PROG, main)


__all__ = [
    "TOOL_ID",
    "Alert",
    "add_metrics",
    "birdseye",
    "flag_for",
    "from_drive_status",
    "from_log_lines",
    "prometheus",
    "update_state",
]
