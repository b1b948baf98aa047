"""Helpers shared by the repack (ATRESYS) tools that follow directly from the config.

Only what the documentation pins down is here: the destination pool after a repack
(``<prefix><lib_to_pool_map suffix>``, e.g. ``tolabel_IBM1L7``), the priority table, and the
``$DATE``/``$TAPE`` placeholders of ``existing_files_on_tape``. The repack workflow itself
(scan, start, end, quarantine …) belongs to the ATRESYS issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ctaops.utils.config import Config

TOOL = "cta-ops-repack-automation"


@dataclass(frozen=True)
class RepackPriority:
    """One ``priorities.<int>`` entry."""

    priority: int
    name: str
    mount_policy: str
    default_dst_pool_prefix: str


_DEFAULT_PRIORITIES: dict[int, tuple[str, str, str]] = {
    10: ("low", "repack_low_priority", "tolabel"),
    11: ("low-erase", "repack_low_priority", "erase"),
    49: ("high-tolabel", "repack_high_priority", "tolabel"),
    50: ("high", "repack_high_priority", "erase"),
}


def destination_pool(prefix: str, logical_library: str, media_type: str, config: Config) -> str:
    """``prefix`` + the ``global.tape.lib_to_pool_map`` suffix, e.g. ``tolabel`` → ``tolabel_IBM1L7``.

    Raises ``KeyError`` naming the library and media type when the map has no entry.
    """
    suffix = config.tape.pool_suffix(logical_library, media_type)
    if suffix is None:
        raise KeyError(f"global.tape.lib_to_pool_map has no entry for {logical_library}/{media_type}")
    return f"{prefix}{suffix}"


def priorities(config: Config) -> dict[int, RepackPriority]:
    """Return the ``priorities`` table of ``tools.cta-ops-repack-automation`` (upstream's four by default)."""
    section: Mapping[Any, Any] = config.get_path(f"tools.{TOOL}.priorities") or {}
    if not section:
        return {p: RepackPriority(p, *v) for p, v in _DEFAULT_PRIORITIES.items()}
    return {
        int(p): RepackPriority(int(p), str(v["name"]), str(v["mount_policy"]), str(v["default_dst_pool_prefix"]))
        for p, v in section.items()
    }


def existing_files_on_tape_path(template: str, date: str, vid: str) -> str:
    """Fill ``$DATE`` and ``$TAPE`` in ``existing_files_on_tape``."""
    return template.replace("$DATE", date).replace("$TAPE", vid)


__all__ = ["RepackPriority", "destination_pool", "existing_files_on_tape_path", "priorities"]
