"""Where daily points come from.

cta-taped JSON logs (aggregated in Rust), and the import database's CTA and CASTOR measurements
translated into the destination schema.
"""

from __future__ import annotations

import glob
import gzip
import os
from collections.abc import Sequence
from typing import Any

from ctaops._core import TapedLogAggregator
from ctaops.datamon.points import FIELDS, TAGS, Points, Tags, add
from ctaops.errors import CtaOpsFileNotFoundError, ParseError

CHUNK = 1 << 20


def expand(patterns: Sequence[str]) -> list[str]:
    """Return the files named by ``patterns`` (globs), in order, each once; a pattern matching nothing is an error."""
    out: list[str] = []
    for p in patterns:
        found = sorted(glob.glob(p)) if glob.has_magic(p) else [p]
        if not found:
            raise CtaOpsFileNotFoundError(f"no file matches {p}")
        out.extend(f for f in found if f not in out)
    return out


def taped_logs(paths: Sequence[str], from_day: int | None, to_day: int | None) -> tuple[dict[int, Points], int]:
    """Aggregate the ``Tape session finished`` records of ``paths`` (``.gz`` ones too).

    Returns the daily points and the number of records counted.
    """
    agg = TapedLogAggregator(from_day, to_day)
    for path in paths:
        try:
            if path.endswith(".gz"):
                with gzip.open(path, "rb") as f:
                    while chunk := f.read(CHUNK):
                        agg.feed(chunk)
                agg.end_log()
            else:
                if os.path.isdir(path):
                    raise IsADirectoryError(f"{path} is a directory")
                agg.feed_file(path)
        except ValueError as e:
            raise ParseError(f"{path}: {e}") from None
        except OSError as e:
            raise OSError(f"{path}: {e.strerror or e}") from None
    days: dict[int, Points] = {}
    for day, mount, vo, pool, drive, library, volume, files, sessions, failed in agg.daily():
        tags: Tags = (mount, vo, pool, drive, library)
        days.setdefault(day, {})[tags] = (volume, files, sessions, failed)
    return days, agg.records


# Other spellings of the destination's tags and fields in the import measurements. CTA's import
# measurement is expected in the destination schema already; CERN's CASTOR monitoring named
# things its own way (``experiment``, ``svcclass``, ``bytes``, read/write directions).
_TAG_ALIASES: dict[str, tuple[str, ...]] = {
    "mountType": ("mountType", "mount_type", "type", "direction"),
    "vo": ("vo", "VO", "experiment"),
    "tapePool": ("tapePool", "tapepool", "pool", "svcclass"),
    "drive": ("drive", "tapeDrive"),
    "library": ("library", "logicalLibrary", "tapeLibrary"),
}
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "dataVolume": ("dataVolume", "datavolume", "data_volume", "bytes", "value"),
    "filesCount": ("filesCount", "files", "nbfiles", "nbFiles"),
    "sessions": ("sessions", "mounts", "count"),
    "failedSessions": ("failedSessions", "failed"),
}
_CASTOR_MOUNT_TYPES = {
    "read": "Retrieve",
    "recall": "Retrieve",
    "write": "ArchiveForUser",
    "migration": "ArchiveForUser",
    "repack": "ArchiveForRepack",
}


def _pick(d: dict[str, Any], names: tuple[str, ...]) -> Any:
    for n in names:
        v = d.get(n)
        if v not in (None, ""):
            return v
    return None


def _count(v: Any) -> int:
    try:
        return max(0, int(v))
    except (TypeError, ValueError):
        return 0


def translate(tags: dict[str, str], fields: dict[str, Any], *, castor: bool) -> tuple[Tags, tuple[int, int, int, int]]:
    """One import point in the destination schema (tags may also be stored as fields)."""
    both = {**fields, **tags}
    values = [str(_pick(both, _TAG_ALIASES[t]) or "unknown") for t in TAGS]
    if castor:
        values[0] = _CASTOR_MOUNT_TYPES.get(values[0].lower(), values[0])
    key: Tags = (values[0], values[1], values[2], values[3], values[4])
    dv, fc, s, fs = (_count(_pick(fields, _FIELD_ALIASES[f])) for f in FIELDS)
    return key, (dv, fc, s, fs)


def merge(into: dict[int, Points], more: dict[int, Points]) -> None:
    """Add ``more``'s points to ``into``, day by day."""
    for day, points in more.items():
        target = into.setdefault(day, {})
        for tags, totals in points.items():
            add(target, tags, totals)
