"""The repack table as a ``pyarrow.Table`` (and through it pandas and polars), for notebooks.

One row per tape, the columns of :class:`~ctaops.atresys.store.TapeRow` plus its derived
``state``; the life-cycle times (``entered`` … ``finished``) are ``timestamp[s, UTC]`` columns,
null where the tape has not got there.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from ctaops.atresys.store import STATES, TapeRow

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped]

_STORE_TIME = "%Y-%m-%d %H:%M:%S"


def _utc(text: str | None) -> _dt.datetime | None:
    if text is None:
        return None
    return _dt.datetime.strptime(text, _STORE_TIME).replace(tzinfo=_dt.timezone.utc)


def rows_to_arrow(rows: Sequence[TapeRow]) -> pyarrow.Table:
    """Return ``rows`` as a table (needs ``pyarrow``: ``pip install ctaops[analysis]``)."""
    import pyarrow as pa  # noqa: PLC0415 (optional dependency, imported when used)

    columns: dict[str, Any] = {"tape": pa.array([r.tape for r in rows], pa.string())}
    columns["state"] = pa.array([r.state for r in rows], pa.string())
    ts = pa.timestamp("s", tz="UTC")
    for f in fields(TapeRow):
        if f.name == "tape":
            continue
        values = [getattr(r, f.name) for r in rows]
        if f.name in STATES:
            columns[f.name] = pa.array([_utc(v) for v in values], ts)
        elif f.type in ("int", int):
            columns[f.name] = pa.array(values, pa.int64())
        else:
            columns[f.name] = pa.array(values, pa.string())
    return pa.table(columns)


__all__ = ["rows_to_arrow"]
