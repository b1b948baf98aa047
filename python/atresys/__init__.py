"""``import atresys``: the ATRESYS (automated tape repacking) API for upstream-style scripts.

A thin alias of :mod:`ctaops.atresys`; see ``docs/atresys.md``.
"""

from __future__ import annotations

from ctaops.atresys import MODES, STATES, HistoryEntry, Mode, State, Store, TapeRow

__all__ = ["MODES", "STATES", "HistoryEntry", "Mode", "State", "Store", "TapeRow"]
