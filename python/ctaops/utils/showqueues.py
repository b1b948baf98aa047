"""Rendering of CTA's scheduling queues (``cta-admin --json showqueues``).

As the upstream "Tape Showqueues" helper and the ``cta-ops-admin sq archive|retrieve``
handlers do.

Input is the records as CTA prints them in JSON (uint64 fields as strings, cta-interfaces
§1.7); plain dicts work, and so does any object with a ``to_dict()`` giving CTA's field names.
Sizes are shown with :func:`ctaops.utils.units.format_size` and ages as ``1h2m3s``
(``human=False`` keeps raw numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ctaops.utils.tables import format_table
from ctaops.utils.units import format_size

if TYPE_CHECKING:
    from ctaops.utils.config import Config

SHOWQUEUES_TABLE_HEADERS: dict[str, str] = {
    "mountType": "Type",
    "tapepool": "Tape Pool",
    "vo": "VO",
    "logicalLibrary": "Library",
    "vid": "VID",
    "queuedFiles": "Files Queued",
    "queuedBytes": "Data Queued",
    "oldestAge": "Oldest",
    "minAge": "Youngest",
    "priority": "Priority",
    "readMaxDrives": "Read Maximum Drives",
    "writeMaxDrives": "Write Maximum Drives",
    "curBytes": "Current Bytes",
    "curMounts": "Mounts CUR",
    "curFiles": "Files CUR",
    "data": "Data",
    "bytesPerSecond": "MB/s",
    "tapes": "Tapes",
    "tapesCapacity": "Capacity",
    "tapesFiles": "Files on Tapes",
    "tapesBytes": "Data on Tapes",
    "fullTapes": "Full Tapes",
    "writableTapes": "Writable Tapes",
}
"""Upstream cta-ops-admin's ``table_headers`` for ``showqueues``, unchanged (it titles
``minAge`` "Youngest"; the views below use CTA's ``youngestAge`` for that column instead)."""

ARCHIVE_COLUMNS: dict[str, str] = {
    "mountType": "Type",
    "tapepool": "Tape Pool",
    "vo": "VO",
    "queuedFiles": "Files Queued",
    "queuedBytes": "Data Queued",
    "oldestAge": "Oldest",
    "youngestAge": "Youngest",
    "minAge": "Min Age",
    "priority": "Priority",
    "writeMaxDrives": "Write Maximum Drives",
    "curMounts": "Mounts CUR",
    "curFiles": "Files CUR",
    "curBytes": "Current Bytes",
    "tapesCapacity": "Capacity",
    "tapesFiles": "Files on Tapes",
    "tapesBytes": "Data on Tapes",
    "fullTapes": "Full Tapes",
    "writableTapes": "Writable Tapes",
}
"""Columns of ``sq archive``."""

RETRIEVE_COLUMNS: dict[str, str] = {
    "mountType": "Type",
    "tapepool": "Tape Pool",
    "vo": "VO",
    "logicalLibrary": "Library",
    "vid": "VID",
    "queuedFiles": "Files Queued",
    "queuedBytes": "Data Queued",
    "oldestAge": "Oldest",
    "youngestAge": "Youngest",
    "minAge": "Min Age",
    "priority": "Priority",
    "readMaxDrives": "Read Maximum Drives",
    "curMounts": "Mounts CUR",
    "curFiles": "Files CUR",
    "curBytes": "Current Bytes",
    "sleepingForSpace": "Sleeping",
}
"""Columns of ``sq retrieve``."""

_U64 = frozenset({
    "queuedFiles", "queuedBytes", "oldestAge", "youngestAge", "priority", "minAge", "curMounts", "curFiles",
    "curBytes", "tapesCapacity", "tapesFiles", "tapesBytes", "fullTapes", "writableTapes", "sleepStartTime",
    "readMaxDrives", "writeMaxDrives",
})  # fmt: skip
_BYTES = frozenset({"queuedBytes", "curBytes", "tapesCapacity", "tapesBytes"})
_AGES = frozenset({"oldestAge", "youngestAge", "minAge"})


def _as_dict(record: Any) -> Mapping[str, Any]:
    if isinstance(record, Mapping):
        return record
    to_dict = getattr(record, "to_dict", None)
    if callable(to_dict):
        out = to_dict()
        if isinstance(out, Mapping):
            return out
    raise TypeError(f"showqueues record must be a mapping or have to_dict(), not {type(record).__name__}")


def normalize(record: Any) -> dict[str, Any]:
    """Return a copy with CTA's uint64-as-string fields as ints.

    A field that is not a number raises ``ValueError`` naming it.
    """
    out = dict(_as_dict(record))
    for key in _U64.intersection(out):
        value = out[key]
        if isinstance(value, str):
            try:
                out[key] = int(value)
            except ValueError:
                raise ValueError(f"showqueues field {key!r}: not a number: {value!r}") from None
    return out


def format_age(seconds: int) -> str:
    """``0s``, ``6m52s``, ``1d2h3m4s``."""
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


def select(
    records: Iterable[Any], kind: str | None = None, *, tapepool: str | None = None, vo: str | None = None
) -> list[dict[str, Any]]:
    """Select normalised records of one kind, optionally of one tape pool or VO.

    ``kind`` is ``"archive"`` (``ARCHIVE_*`` mount types), ``"retrieve"`` or ``None`` (all);
    the result is sorted by mount type, tape pool, then VID.
    """
    if kind not in (None, "archive", "retrieve"):
        raise ValueError(f"kind must be 'archive', 'retrieve' or None, not {kind!r}")
    out = []
    for rec in map(normalize, records):
        mount = str(rec.get("mountType", ""))
        if kind == "archive" and not mount.startswith("ARCHIVE"):
            continue
        if kind == "retrieve" and mount != "RETRIEVE":
            continue
        if tapepool is not None and rec.get("tapepool") != tapepool:
            continue
        if vo is not None and rec.get("vo") != vo:
            continue
        out.append(rec)
    out.sort(key=lambda r: (str(r.get("mountType", "")), str(r.get("tapepool", "")), str(r.get("vid", ""))))
    return out


def humanize(record: Mapping[str, Any]) -> dict[str, Any]:
    """Sizes as ``'1.5T'``, ages as ``'6m52s'``."""
    out = dict(record)
    for key in _BYTES.intersection(out):
        if isinstance(out[key], int):
            out[key] = format_size(out[key])
    for key in _AGES.intersection(out):
        if isinstance(out[key], int):
            out[key] = format_age(out[key])
    return out


def summary(records: Iterable[Any]) -> dict[str, int]:
    """Totals: queues, queued files and bytes, current mounts."""
    recs = [normalize(r) for r in records]
    return {
        "queues": len(recs),
        "queuedFiles": sum(int(r.get("queuedFiles", 0)) for r in recs),
        "queuedBytes": sum(int(r.get("queuedBytes", 0)) for r in recs),
        "curMounts": sum(int(r.get("curMounts", 0)) for r in recs),
    }


def render_showqueues(  # noqa: PLR0913  (keyword-only options)
    records: Iterable[Any],
    kind: str | None = None,
    *,
    config: Config | None = None,
    human: bool = True,
    tapepool: str | None = None,
    vo: str | None = None,
    totals: bool = True,
    **table_options: Any,
) -> str:
    """Render the queue table (``kind``: ``"archive"``, ``"retrieve"`` or both), then a totals line."""
    rows = select(records, kind, tapepool=tapepool, vo=vo)
    columns = RETRIEVE_COLUMNS if kind == "retrieve" else ARCHIVE_COLUMNS if kind == "archive" else {
        **RETRIEVE_COLUMNS, **{k: v for k, v in ARCHIVE_COLUMNS.items() if k not in RETRIEVE_COLUMNS}
    }  # fmt: skip
    shown = [humanize(r) for r in rows] if human else rows
    text = format_table(shown, columns, config=config, **table_options)
    if totals:
        t = summary(rows)
        data = format_size(t["queuedBytes"]) if human else str(t["queuedBytes"])
        text += f"\n\nTotal: {t['queues']} queues, {t['queuedFiles']} files ({data}) queued, {t['curMounts']} mounts"
    return text


__all__ = [
    "ARCHIVE_COLUMNS",
    "RETRIEVE_COLUMNS",
    "SHOWQUEUES_TABLE_HEADERS",
    "format_age",
    "humanize",
    "normalize",
    "render_showqueues",
    "select",
    "summary",
]
