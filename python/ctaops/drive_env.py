"""``cta-ops-drive-environmentals``: temperature and humidity of this host's drives, for monitoring.

Each run reads LOG SENSE page 0x0D (temperature, and the environmental-reporting subpage with
relative humidity) from every local drive whose SCSI product is not in
``tools.cta-ops-drive-environmentals.model_blacklist``, and appends one JSON line per drive to
the output file (``--output-file``, else the config's ``output_file``; ``-`` is stdout):

``{"timestamp": "2026-11-26T05:40:00Z", "hostname": ..., "drive_device": "/dev/nst0",
"serial": ..., "vendor": "IBM", "product": "ULT3580-TD9", "temperature_c": 32, "humidity_pct": 40}``

A drive without a sensor reports ``null``; one that refuses the log page altogether (tgt's virtual
drives, some older models) also gets a ``"not_supported"`` field saying which reading it lacks,
and does not count as a failure; a drive that cannot be read gets an ``"error"`` field
(and the exit status is 1, after the other drives were written). The Prometheus textfile
(``--prometheus FILE``, else ``<global.metrics.textfile_dir>/ctaops_drive_environmentals.prom``)
holds ``ctaops_drive_environmentals_temperature_celsius``, ``..._humidity_ratio`` (0 to 1),
``..._drives``, ``..._read_errors`` and the standard run metrics (``docs/monitoring.md``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.errors import CtaOpsError
from ctaops.localdrives import LocalDrive, local_drives
from ctaops.utils.files import make_parent
from ctaops.utils.metrics import Registry, ToolRun, textfile_path

if TYPE_CHECKING:
    from ctaops.utils.config import Config

PROG = "cta-ops-drive-environmentals"
TOOL = "cta-ops-drive-environmentals"
DEFAULT_OUTPUT_NAME = "drive-environmentals.json"
"""The output file's name under ``logging.log_dir`` when the config names none."""
DEFAULT_BLACKLIST = ("ULT3580-TD8",)
TOOL_ID = "drive_environmentals"
"""The metrics' tool id: ``ctaops_drive_environmentals_*`` in ``ctaops_drive_environmentals.prom``."""


def now_utc() -> str:
    """ISO 8601 UTC timestamp, seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_environment(drives: Iterable[LocalDrive], blacklist: Iterable[str]) -> list[dict[str, Any]]:
    """One record per drive not blacklisted (see the module docstring)."""
    skip = {b.strip() for b in blacklist}
    host = socket.gethostname()
    stamp = now_utc()
    out: list[dict[str, Any]] = []
    for d in drives:
        if d.product.strip() in skip:
            continue
        rec: dict[str, Any] = {
            "timestamp": stamp,
            "hostname": host,
            "drive_device": d.device or d.sg,
            "serial": d.serial,
            "vendor": d.vendor,
            "product": d.product,
            "temperature_c": None,
            "humidity_pct": None,
        }
        try:
            st = d.open().status()
        except CtaOpsError as e:
            rec["error"] = str(e)
        else:
            rec["temperature_c"] = st.temperature_c
            rec["humidity_pct"] = st.humidity_pct
            missing = [m for m in ("temperature", "humidity") if m in st.unsupported]
            if missing:
                rec["not_supported"] = f"{' and '.join(missing)} (LOG SENSE page 0x0D): not supported by this device"
        out.append(rec)
    return out


def add_metrics(reg: Registry, records: Iterable[Mapping[str, Any]]) -> None:
    """Add the drives' readings to ``reg`` (a drive without a value has no sample)."""
    labels = ("drive_device", "serial", "product")
    temperature = reg.gauge("temperature_celsius", "Tape drive temperature (LOG SENSE 0x0D).", labels)
    humidity = reg.gauge("humidity_ratio", "Tape drive relative humidity, 0 to 1 (LOG SENSE 0x0D/0x01).", labels)
    recs = list(records)
    for r in recs:
        who = {k: r[k] for k in labels}
        if r.get("temperature_c") is not None:
            temperature.set(r["temperature_c"], **who)
        if r.get("humidity_pct") is not None:
            humidity.set(r["humidity_pct"] / 100, **who)
    reg.gauge("drives", "Drives looked at (blacklisted models left out).").set(len(recs))
    reg.gauge("read_errors", "Drives whose environment could not be read.").set(sum(1 for r in recs if "error" in r))


def prometheus(records: Iterable[Mapping[str, Any]]) -> str:
    """Return the records' metrics in the text format (without the standard run metrics)."""
    reg = Registry(TOOL_ID)
    add_metrics(reg, records)
    return reg.render()


def main(argv: list[str] | None = None) -> int:
    """Run the tool; see the module docstring."""
    from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --help fast)

    p = _toolcli.parser(PROG, "Read drive temperature and humidity and write them as JSON lines for monitoring.")
    p.add_argument(
        "--output-file",
        help=f"append JSON lines here ('-' for stdout; default: the config's output_file, "
        f"else <log_dir>/{DEFAULT_OUTPUT_NAME})",
    )
    p.add_argument(
        "--prometheus",
        metavar="FILE",
        help=f"write the Prometheus textfile here (default: <global.metrics.textfile_dir>/ctaops_{TOOL_ID}.prom)",
    )
    p.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    config = load_config(args.config_file, TOOL)
    log = _toolcli.setup_logging(PROG, args.verbose, config=config, log_json=args.log_json)
    path = textfile_path(config, TOOL_ID, override=args.prometheus)
    with ToolRun(TOOL_ID, path, roots=[config.logging.log_dir, config.metrics.textfile_dir]) as metrics:
        return metrics.done(_run(args, config, log, metrics.registry))


def _run(args: argparse.Namespace, config: Config, log: logging.Logger, reg: Registry) -> int:
    """Read every drive, append the records, fill ``reg``; the exit status."""
    blacklist = config.tool_value("model_blacklist", list(DEFAULT_BLACKLIST))
    if isinstance(blacklist, str):
        blacklist = [blacklist]
    output = (
        args.output_file
        or config.tool_value("output_file")
        or os.path.join(config.logging.log_dir, DEFAULT_OUTPUT_NAME)
    )
    drives = local_drives(config, args.sysfs)
    if not drives:
        raise _toolcli.ToolExit(1, "no tape drives found on this host")
    records = read_environment(drives, blacklist or [])
    add_metrics(reg, records)
    text = "".join(json.dumps(r) + "\n" for r in records)
    if output == "-":
        print(text, end="")
    else:
        make_parent(output, [config.logging.log_dir])
        with open(output, "a", encoding="utf-8") as f:
            f.write(text)
        log.info("wrote %d records to %s", len(records), output)
    failed = [r for r in records if "error" in r]
    for r in failed:
        log.error("%s (%s): %s", r["drive_device"], r["serial"], r["error"])
    return 1 if failed else 0


def console() -> None:
    """Console-script entry point."""
    _toolcli.run(PROG, main)


__all__ = ["TOOL_ID", "add_metrics", "prometheus", "read_environment"]
