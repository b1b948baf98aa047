"""The ``tools.cta-ops-repack-automation`` settings the scheduled steps read (ops-tools §6.5).

Upstream keys keep their names and defaults; the ctaops additions (``quarantine_pool``,
``lease_seconds``, ``email_errors``, ``cta-ops-repack-monitor.prometheus_out``) are marked in
``docs/atresys.md``. The output files default to names under the tool's ``logging.log_dir``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ctaops.errors import ConfigError
from ctaops.utils.config import Config
from ctaops.utils.logging import tool_log_dir
from ctaops.utils.repack import TOOL, RepackPriority, priorities


def repack_log_dir(cfg: Config) -> str:
    """Return the steps' log directory: ``logging.log_dir`` of the tool, else ``<global log_dir>/repack/``."""
    return tool_log_dir(cfg, TOOL, "repack")


def _section(tool: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = tool.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"tools.{TOOL}.{name} must be a mapping")
    return value


def _num(section: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"tools.{TOOL}.{where}{key} must be a non-negative number, not {value!r}")
    return float(value)


def _str(section: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"tools.{TOOL}.{where}{key} must be a non-empty string, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the steps need from the config, validated once."""

    max_active_repacks: int
    quarantine_days: float
    quarantine_pool: str
    default_priority: int
    priorities: Mapping[int, RepackPriority]
    lease_seconds: int
    email_errors: bool
    tape_usage_threshold: float
    number_of_tapes: int
    ignore_pools: tuple[str, ...]
    existing_files_on_tape: str
    cleanup_pattern: str
    keep_tf_files_days: float
    repack_end_json_path: str
    ls_out: str
    prometheus_out: str | None

    @classmethod
    def from_config(cls, cfg: Config) -> Settings:
        """Read and check the tool section (defaults as upstream ships them)."""
        tool: Mapping[str, Any] = cfg.tool_section
        scan = _section(tool, "cta-ops-repack-0-scan")
        start = _section(tool, "cta-ops-repack-2-start")
        end = _section(tool, "cta-ops-repack-3-end")
        mon = _section(tool, "cta-ops-repack-monitor")
        prios = priorities(cfg)
        default_priority = int(_num(tool, "default_priority", 10, ""))
        if default_priority not in prios:
            raise ConfigError(f"tools.{TOOL}.default_priority {default_priority} is not a key of priorities")
        ignore = scan.get("ignore_pools", ["quarantine"])
        if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
            raise ConfigError(f"tools.{TOOL}.cta-ops-repack-0-scan.ignore_pools must be a list of pool names")
        quarantine_pool = _str(tool, "quarantine_pool", "quarantine", "")
        prom = mon.get("prometheus_out")
        # Output files default under the tool's log dir (upstream's /var/log/cta-ops/repack/
        # when nothing is moved), never a fixed path.
        log_dir = repack_log_dir(cfg)
        return cls(
            max_active_repacks=int(_num(tool, "max_active_repacks", 10, "")),
            quarantine_days=_num(tool, "quarantine_days", 31, ""),
            quarantine_pool=quarantine_pool,
            default_priority=default_priority,
            priorities=prios,
            lease_seconds=max(1, int(_num(tool, "lease_seconds", 3600, ""))),
            email_errors=bool(tool.get("email_errors", False)),
            tape_usage_threshold=_num(scan, "tape_usage_threshold", 0.4, "cta-ops-repack-0-scan."),
            number_of_tapes=int(_num(scan, "number_of_tapes", 10, "cta-ops-repack-0-scan.")),
            # the quarantine pool is never a source, whatever ignore_pools says
            ignore_pools=(*ignore, quarantine_pool),
            existing_files_on_tape=_str(
                start,
                "existing_files_on_tape",
                os.path.join(log_dir, "repack-tapefile-$DATE-$TAPE.txt"),
                "cta-ops-repack-2-start.",
            ),
            cleanup_pattern=_str(start, "cleanup_pattern", "*repack-tapefile*", "cta-ops-repack-2-start."),
            keep_tf_files_days=_num(start, "keep_tf_files_days", 14, "cta-ops-repack-2-start."),
            repack_end_json_path=_str(
                end,
                "repack-end-json-path",
                os.path.join(log_dir, "cta-ops-repack-end-json.log"),
                "cta-ops-repack-3-end.",
            ),
            ls_out=_str(
                mon,
                "ls_out",
                os.path.join(log_dir, "cta-ops-repack-automation-json.log"),
                "cta-ops-repack-monitor.",
            ),
            prometheus_out=str(prom) if prom else None,
        )

    def priority(self, p: int) -> RepackPriority:
        """Return the priority entry; ``ConfigError`` if the table has no such key."""
        try:
            return self.priorities[p]
        except KeyError:
            raise ConfigError(f"priority {p} is not a key of tools.{TOOL}.priorities") from None


__all__ = ["Settings", "repack_log_dir"]
