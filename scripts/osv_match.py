"""Which OSV advisories (PyPA's advisory-database records) affect one PyPI package version.

A deliberately small matcher, because pip-audit only queries PyPI's or OSV's web API and cannot
read a local database. It follows the OSV schema's rules for the PyPI ecosystem: a version is
affected when `affected[].versions` lists it, or when an ECOSYSTEM range's events, walked in
version order, leave it affected (`introduced`, `0` meaning from the start; `fixed` exclusive,
`last_affected` inclusive; `limit` excludes what lies at or above it). Versions compare as PEP 440
(packaging.version). Withdrawn records and GIT/SEMVER ranges (commits, not PyPI versions) do not
match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Finding:
    """One advisory that affects one package version."""

    id: str
    package: str
    version: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]  # versions that fix it, from the matching ranges (may be empty)
    summary: str


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(events: Iterable[Mapping[str, str]], version: Version) -> tuple[bool, list[str]]:
    """Whether `version` lies in the range, and the `fixed` versions the range names.

    The OSV schema's own evaluation: walk the events in version order; `introduced` at or below
    the version makes it affected, `fixed` at or below (or `last_affected` below) makes it not
    affected again; a `limit` at or below the version excludes it.
    """
    order = {"fixed": 0, "last_affected": 0, "limit": 0, "introduced": 1}  # at a tie, close before reopening
    points: list[tuple[Version, int, str]] = []
    for event in events:
        for kind, text in event.items():
            v = Version("0") if kind == "introduced" and text == "0" else _version(text)
            if v is not None and kind in order:
                points.append((v, order[kind], kind))
    points.sort(key=lambda p: (p[0], p[1]))
    fixed = [str(v) for v, _, kind in points if kind == "fixed"]
    if any(kind == "limit" and version >= v for v, _, kind in points):
        return False, fixed
    affected = False
    for v, _, kind in points:
        if kind == "introduced" and version >= v:
            affected = True
        elif (kind == "fixed" and version >= v) or (kind == "last_affected" and version > v):
            affected = False
    return affected, fixed


def affects(record: Mapping[str, Any], package: str, version: str) -> Finding | None:
    """Return the finding if the OSV `record` affects `package` at `version`, else None."""
    if record.get("withdrawn"):
        return None
    wanted = _normalize(package)
    parsed = _version(version)
    for affected in record.get("affected", []):
        pkg = affected.get("package", {})
        if pkg.get("ecosystem") != "PyPI" or _normalize(pkg.get("name", "")) != wanted:
            continue
        hit = version in affected.get("versions", []) or (
            parsed is not None and any(parsed == _version(v) for v in affected.get("versions", []))
        )
        fixed: list[str] = []
        for rng in affected.get("ranges", []):
            if rng.get("type") != "ECOSYSTEM" or parsed is None:
                continue
            in_range, rng_fixed = _in_range(rng.get("events", []), parsed)
            fixed += rng_fixed
            hit = hit or in_range
        if hit:
            summary = str(record.get("summary") or record.get("details") or "").strip().splitlines()
            return Finding(
                id=str(record["id"]),
                package=wanted,
                version=version,
                aliases=tuple(record.get("aliases", [])),
                fixed=tuple(sorted(set(fixed), key=lambda t: _version(t) or Version("0"))),
                summary=summary[0] if summary else "",
            )
    return None
