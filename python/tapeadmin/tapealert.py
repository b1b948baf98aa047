"""The 64 TapeAlert flags (name, severity, recommended action) and alert classification."""

from __future__ import annotations

from ctaops.drive import TAPEALERT_FLAGS, TapeAlertFlag
from ctaops.tape_alerting import Alert, birdseye, flag_for

__all__ = ["TAPEALERT_FLAGS", "Alert", "TapeAlertFlag", "birdseye", "flag_for"]
