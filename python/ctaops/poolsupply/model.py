"""What pool supply reads from CTA: tapes, pools, their supply pools, and which tapes count."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ctaops.utils.dicts import counter

PROG = "cta-ops-pool-supply"
LOCK_NAME = f"{PROG}.lock"
DEFAULT_SEPARATOR = ","
TABLE_HEADERS = ("pool", "eligible_before", "target", "moved", "eligible_after", "status", "reason")
"""Summary columns; the ``--json`` keys of ``pools``."""

_NEVER = float("inf")


class Admin(Protocol):
    """What the tool needs of :class:`ctaops.admin.CtaAdmin` (tests pass a fake)."""

    def tapes(self, **filters: Any) -> Iterable[Any]:
        """``tape ls``."""

    def tape_pools(self) -> Iterable[Any]:
        """``tapepool ls``."""

    def logical_libraries(self) -> Iterable[Any]:
        """``logicallibrary ls``."""

    def tape_ch(self, vid: str, *, dry_run: bool = False, **changes: Any) -> str:
        """``tape ch``."""


def to_dicts(records: Iterable[Any]) -> list[dict[str, Any]]:
    """Return CTA's records as dicts (``AdminRecords``, dicts, or records with ``to_dict()``)."""
    convert = getattr(records, "to_dicts", None)
    if convert is not None:  # AdminRecords: one conversion in Rust instead of one per record
        return list(convert())
    return [r if isinstance(r, dict) else r.to_dict() for r in records]


@dataclass(frozen=True)
class Tape:
    """The fields of a ``tape ls`` record the supply decision uses."""

    vid: str
    pool: str
    state: str
    full: bool
    from_castor: bool
    library: str
    media: str
    occupancy: int
    last_fseq: int
    label_time: float
    """``labelLog.time``; infinity for a tape never labelled (sorts last)."""

    @classmethod
    def from_record(cls, r: Mapping[str, Any]) -> Tape:
        """Build from a ``tape ls --json`` record (CTA's key names)."""
        label = r.get("labelLog") or {}
        label_time = counter(label.get("time")) if isinstance(label, Mapping) else 0
        return cls(
            vid=str(r["vid"]),
            pool=str(r.get("tapepool", "")),
            state=str(r.get("state", "")),
            full=bool(r.get("full")),
            from_castor=bool(r.get("fromCastor")),
            library=str(r.get("logicalLibrary", "")),
            media=str(r.get("mediaType", "")),
            occupancy=counter(r.get("occupancy")),
            last_fseq=counter(r.get("lastFseq")),
            label_time=float(label_time) if label_time else _NEVER,
        )

    def label_text(self) -> str:
        """Return the label time for people (UTC)."""
        if self.label_time == _NEVER:
            return "never labelled"
        return "labelled " + time.strftime("%Y-%m-%d %H:%M", time.gmtime(self.label_time))


@dataclass(frozen=True)
class Pool:
    """A tape pool: its target of partial tapes and the pools it takes fresh tapes from."""

    name: str
    target: int
    sources: tuple[str, ...]


def supply_sources(record: Mapping[str, Any], separator: str = DEFAULT_SEPARATOR) -> tuple[str, ...]:
    """Return the pools supplying ``record``'s pool, in CTA's order, each once.

    Newer CTA lists them in ``supplySource``; older CTA printed one ``supply`` string, split here
    at ``separator``. ctaops' reader already splits a legacy string at commas into
    ``supplySource``, so each entry is split at the separator again (a site separator other than
    a comma); a pool name never contains the separator.
    """
    listed = record.get("supplySource")
    if listed is None:
        legacy = record.get("supply")
        listed = [legacy] if isinstance(legacy, str) else []
    out: list[str] = []
    for entry in listed:
        for name in str(entry).split(separator or DEFAULT_SEPARATOR):
            name = name.strip()  # noqa: PLW2901  (the cleaned-up name replaces the raw one)
            if name and name not in out:
                out.append(name)
    return tuple(out)


@dataclass(frozen=True)
class Eligibility:
    """Which tapes count: the disabled logical libraries are the only outside input."""

    disabled_libraries: frozenset[str]

    def eligible(self, t: Tape) -> bool:
        """Tell whether ``t`` is an eligible partial tape: CTA may write it now."""
        return t.state == "ACTIVE" and not t.full and not t.from_castor and t.library not in self.disabled_libraries

    def fresh(self, t: Tape) -> bool:
        """Tell whether a supply pool may give ``t`` away: eligible and empty."""
        return self.eligible(t) and t.occupancy == 0 and t.last_fseq == 0
