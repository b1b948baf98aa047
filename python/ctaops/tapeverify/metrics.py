"""Prometheus metrics of the verification tools: coverage of the tape fleet, and what a run did.

Tool ids ``verification_feeder`` (``ctaops_verification_feeder_*``) and ``verify_tape``
(``ctaops_verify_tape_*``); the names are listed in ``docs/monitoring.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ctaops.tapeverify.status import VerificationStatus
from ctaops.utils.metrics import Registry

FEEDER = "verification_feeder"
VERIFY_TAPE = "verify_tape"
DAY = 86400.0
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("lt_30d", 30 * DAY),
    ("30d_to_90d", 90 * DAY),
    ("90d_to_180d", 180 * DAY),
    ("180d_to_365d", 365 * DAY),
    ("over_365d", float("inf")),
)
"""Buckets of ``ctaops_verification_feeder_tapes{since}``: the upper bound of each (exclusive)."""
NEVER = "never"
STATUSES = ("ongoing", "done", "failed", NEVER)


def since_bucket(verified_at: float | None, now: float) -> str:
    """Return the ``since`` label of a tape last verified at ``verified_at`` (``None``: never)."""
    if verified_at is None:
        return NEVER
    age = max(0.0, now - verified_at)
    return next(name for name, upper in AGE_BUCKETS if age < upper)


def add_coverage(reg: Registry, tapes: Iterable[Mapping[str, Any]], now: float) -> None:
    """Add the fleet's verification coverage: tapes holding files by time since their last verification."""
    since = reg.gauge(
        "tapes",
        "Tapes holding files by time since their last verification started (since: bucket or never).",
        ("since",),
    )
    by_status = reg.gauge(
        "tapes_by_status", "Tapes holding files by their verification status (never: none stored).", ("status",)
    )
    for name in (NEVER, *(b for b, _ in AGE_BUCKETS)):
        since.set(0, since=name)
    for s in STATUSES:
        by_status.set(0, status=s)
    oldest = 0.0
    failed_files = 0
    for t in tapes:
        if int(t.get("nbMasterFiles", 0) or 0) <= 0:
            continue
        status = VerificationStatus.parse(t.get("verificationStatus"))
        at = status.timestamp() if status is not None else None
        since.inc(1, since=since_bucket(at, now))
        by_status.inc(1, status=status.status if status is not None else NEVER)
        if at is not None:
            oldest = max(oldest, now - at)
        if status is not None and status.status == "failed":
            failed_files += status.files_failed
    reg.gauge(
        "oldest_verification_age_seconds", "Time since the oldest last verification of a verified tape started."
    ).set(round(oldest))
    reg.gauge("failed_files", "Files that failed the last verification of their tape, over all tapes.").set(
        failed_files
    )


__all__ = ["AGE_BUCKETS", "FEEDER", "NEVER", "STATUSES", "VERIFY_TAPE", "add_coverage", "since_bucket"]
