"""The destination schema: tags, integer fields, days and real calendar months, line protocol."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping

TAGS = ("mountType", "vo", "tapePool", "drive", "library")
FIELDS = ("dataVolume", "filesCount", "sessions", "failedSessions")
DAY = 86_400

Tags = tuple[str, str, str, str, str]
Totals = tuple[int, int, int, int]
#: the points of one day or month: totals by tag set
Points = dict[Tags, Totals]


def add(points: Points, tags: Tags, totals: Totals) -> None:
    """Add ``totals`` to the point of ``tags``."""
    old = points.get(tags)
    points[tags] = (
        totals if old is None else (old[0] + totals[0], old[1] + totals[1], old[2] + totals[2], old[3] + totals[3])
    )


def day_of(t: int) -> int:
    """00:00 UTC of the day of Unix time ``t``."""
    return t - t % DAY


def month_of(t: int) -> int:
    """00:00 UTC of the 1st of the month of Unix time ``t``."""
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    return calendar.timegm((d.year, d.month, 1, 0, 0, 0))


def next_month(m: int) -> int:
    """00:00 UTC of the 1st of the month after the one starting at ``m``."""
    d = dt.datetime.fromtimestamp(m, dt.timezone.utc)
    y, mo = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return calendar.timegm((y, mo, 1, 0, 0, 0))


def iso_day(t: int) -> str:
    """``YYYY-MM-DD`` of Unix time ``t`` (UTC)."""
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d")


def rollup(days: Iterable[Points]) -> Points:
    """Sum days into their month, per tag set."""
    month: Points = {}
    for points in days:
        for tags, totals in points.items():
            add(month, tags, totals)
    return month


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def line(measurement: str, tags: Mapping[str, str], fields: Mapping[str, int | float | str | bool], t: int) -> str:
    """One point in InfluxDB line protocol (second precision); ``int`` fields get the ``i`` suffix."""
    tag_text = "".join(f",{_escape(k)}={_escape(v)}" for k, v in sorted(tags.items()) if v != "")
    parts = []
    for k, v in fields.items():
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, int):
            text = f"{v}i"
        elif isinstance(v, float):
            text = repr(v)
        else:
            text = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{_escape(k)}={text}")
    m = measurement.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ")
    return f"{m}{tag_text} {','.join(parts)} {t}"


def lines(measurement: str, points: Points, t: int) -> list[str]:
    """Format one day's or month's points as line protocol, in tag order."""
    return [
        line(measurement, dict(zip(TAGS, tags)), dict(zip(FIELDS, totals)), t)
        for tags, totals in sorted(points.items())
    ]
