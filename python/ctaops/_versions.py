"""The CTA releases each ctaops version was tested against.

``cta_versions.txt`` is shipped in the package and compiled into the Rust core too, so every
``--version`` quotes one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Tested:
    """One row: a ctaops ``x.y``, the CTA releases it was tested against, the RPM's cta-cli range."""

    ctaops: str
    cta_from: str
    cta_to: str
    cta_cli_min: str
    cta_cli_below: str


def table_text() -> str:
    """Return the table as shipped, comments included."""
    return (resources.files("ctaops") / "cta_versions.txt").read_text(encoding="utf-8")


def rows() -> list[Tested]:
    """Every row, newest first."""
    out = []
    for line in table_text().splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != 5:
            raise ValueError(f"cta_versions.txt: expected 5 fields, got {line!r}")
        out.append(Tested(*fields))
    return out


def current(version: str) -> Tested | None:
    """Return the row of ``version`` (``x.y.z``), if the table has one."""
    major_minor = ".".join(version.split(".")[:2])
    return next((r for r in rows() if r.ctaops == major_minor), None)


def version_line(version: str) -> str:
    """Return what ``--version`` prints after the program name (as the Rust ``ctaops`` does)."""
    r = current(version)
    if r is None:
        return f"{version} (not tested with any CTA release)"
    return f"{version} (tested with CTA {r.cta_from} to {r.cta_to})"
