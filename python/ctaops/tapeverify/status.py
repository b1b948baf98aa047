"""The verification status CTA keeps for a tape (``cta-admin tape ch --verificationstatus``).

Upstream stores ``{date, status, files_submitted, files_verified, files_failed}``; the exact
serialisation is not documented, so ctaops writes it as compact JSON with those keys, e.g.::

    {"date":"2026-11-26 06:10:00","status":"ongoing","files_submitted":30,"files_verified":0,"files_failed":0}

``status`` is ``ongoing`` (submitted, results pending), ``done`` (every file read back
correctly) or ``failed`` (at least one file did not). ``date`` is local time in ``ts_format``.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, replace
from typing import Literal

State = Literal["ongoing", "done", "failed"]
STATES: tuple[State, ...] = ("ongoing", "done", "failed")
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class VerificationStatus:
    """One tape's verification status."""

    date: str
    status: State
    files_submitted: int
    files_verified: int = 0
    files_failed: int = 0

    @classmethod
    def started(cls, files_submitted: int, ts_format: str = TS_FORMAT) -> VerificationStatus:
        """Return an ``ongoing`` status dated now."""
        return cls(_dt.datetime.now().strftime(ts_format), "ongoing", files_submitted)

    def finished(self, verified: int, failed: int) -> VerificationStatus:
        """Return this verification closed: ``done`` when nothing failed, else ``failed``."""
        return replace(self, status="failed" if failed else "done", files_verified=verified, files_failed=failed)

    def to_json(self) -> str:
        """Return the compact JSON stored in CTA."""
        return json.dumps(asdict(self), separators=(",", ":"))

    def timestamp(self, ts_format: str = TS_FORMAT) -> float | None:
        """Return ``date`` as a Unix time (``None`` if it does not parse)."""
        try:
            return _dt.datetime.strptime(self.date, ts_format).timestamp()
        except ValueError:
            return None

    @classmethod
    def parse(cls, text: str | None) -> VerificationStatus | None:
        """Read a stored status; ``None`` for an empty one or text that is not ours (left alone)."""
        if not text:
            return None
        try:
            raw = json.loads(text)
            status = raw["status"]
            if status not in STATES:
                return None
            return cls(
                date=str(raw["date"]),
                status=status,
                files_submitted=int(raw["files_submitted"]),
                files_verified=int(raw.get("files_verified", 0)),
                files_failed=int(raw.get("files_failed", 0)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


__all__ = ["STATES", "TS_FORMAT", "State", "VerificationStatus"]
