"""Reading and replacing the points of one measurement in an InfluxDB database.

InfluxDB 1.x deletes by measurement and time only, across every retention policy of the
database: the daily point of the 1st and the month's point share their timestamp (00:00 UTC of
the 1st), so deleting either would delete both. :meth:`Store.replace` therefore reads what the
other retention policies hold in the range first and writes it back after the delete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ctaops.datamon.influx import Influx, InfluxError, quote_ident
from ctaops.datamon.points import FIELDS, TAGS, Points, Tags, add, line

#: maps a point's tags and fields to the destination schema
Translate = Callable[[dict[str, str], dict[str, Any]], tuple[Tags, tuple[int, int, int, int]]]
#: ``(time, tags, fields)`` of raw points read back
Raw = list[tuple[int, dict[str, str], dict[str, Any]]]


def _where(start: int, end: int) -> str:
    return f"time >= {start}s AND time < {end}s"


class Store:
    """One measurement of one database."""

    def __init__(self, influx: Influx, measurement: str) -> None:
        self.db = influx
        self.measurement = measurement

    def _from(self, rp: str) -> str:
        return f"{quote_ident(rp)}.{quote_ident(self.measurement)}"

    def check_retention_policies(self, rps: list[str], *, create: bool) -> list[str]:
        """Every RP of ``rps`` exists, or is created when ``create``; the ones created."""
        have = self.db.retention_policies()
        missing = [rp for rp in dict.fromkeys(rps) if rp not in have]
        if missing and not create:
            raise InfluxError(
                f"retention policy {missing[0]!r} does not exist in database {self.db.ep.database!r} of InfluxDB "
                f"{self.db.ep.side} (--create-retention-policies creates it)"
            )
        for rp in missing:
            self.db.query(
                f"CREATE RETENTION POLICY {quote_ident(rp)} ON {quote_ident(self.db.ep.database)} "
                "DURATION INF REPLICATION 1",
                change=True,
            )
        return missing

    def raw(self, rp: str, start: int, end: int) -> Raw:
        """Every point of the measurement in ``rp`` over ``[start, end)``, tags and fields apart."""
        out: Raw = []
        q = f"SELECT * FROM {self._from(rp)} WHERE {_where(start, end)} GROUP BY *"  # noqa: S608  (quoted names)
        for s in self.db.query(q):
            tags = {k: str(v) for k, v in (s.get("tags") or {}).items() if v not in (None, "")}
            cols: list[str] = s.get("columns") or []
            for row in s.get("values") or []:
                fields = {c: v for c, v in zip(cols[1:], row[1:]) if v is not None}
                out.append((int(row[0]), tags, fields))
        return out

    def daily(
        self,
        rp: str,
        start: int,
        end: int,
        translate: Translate | None = None,
    ) -> dict[int, Points]:
        """Read the points over ``[start, end)`` by day, in the destination schema (``translate`` maps others)."""
        days: dict[int, Points] = {}
        for t, tags, fields in self.raw(rp, start, end):
            key, totals = (translate or to_schema)(tags, fields)
            add(days.setdefault(t, {}), key, totals)
        return days

    def _field_types(self, rp: str) -> dict[str, str]:
        rows = [r for s in self.db.query(f"SHOW FIELD KEYS FROM {self._from(rp)}") for r in s.get("values") or []]
        return {str(r[0]): str(r[1]) for r in rows}

    def replace(self, rp: str, start: int, end: int, lines: list[str]) -> None:
        """Make ``lines`` the only points of the measurement in ``rp`` over ``[start, end)``.

        The other retention policies' points in the range survive (read, deleted, written back);
        the new points go in one write request right after the delete.
        """
        others: dict[str, list[str]] = {}
        for other in sorted(self.db.retention_policies() - {rp}):
            points = self.raw(other, start, end)
            if points:
                types = self._field_types(other)
                others[other] = [line(self.measurement, tags, _typed(fields, types), t) for t, tags, fields in points]
        delete = f"DELETE FROM {quote_ident(self.measurement)} WHERE {_where(start, end)}"  # noqa: S608  (quoted)
        self.db.query(delete, change=True)
        self.db.write(rp, lines)
        for other, kept in others.items():
            self.db.write(other, kept)


def _typed(fields: dict[str, Any], types: dict[str, str]) -> dict[str, int | float | str | bool]:
    """Field values as their stored type (JSON makes a float 1.0 look like the integer 1)."""
    out: dict[str, int | float | str | bool] = {}
    for k, v in fields.items():
        kind = types.get(k, "")
        if kind == "integer":
            out[k] = int(v)
        elif kind == "float":
            out[k] = float(v)
        elif kind == "boolean":
            out[k] = bool(v)
        else:
            out[k] = v if isinstance(v, (int, float, bool)) else str(v)
    return out


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def to_schema(tags: dict[str, str], fields: dict[str, Any]) -> tuple[Tags, tuple[int, int, int, int]]:
    """Read a point already in the destination schema (a missing tag is ``unknown``, a missing field 0)."""
    key: Tags = tuple(tags.get(t) or "unknown" for t in TAGS)  # type: ignore[assignment]
    return key, tuple(_int(fields.get(f)) for f in FIELDS)  # type: ignore[return-value]
