"""ATRESYS (automated tape repacking): the state store and the scheduled steps.

:mod:`ctaops.atresys.store` is the ``REPACK_STATUS`` table with its history on SQLite or
PostgreSQL (``ctaops-store`` in Rust). The steps ``cta-ops-repack-0-scan`` … ``-6-finish`` and
``cta-ops-repack-monitor`` are one module each (:mod:`ctaops.atresys.scan` …), sharing the run
machinery of :mod:`ctaops.atresys.step`. See ``docs/atresys.md``.
"""

from __future__ import annotations

from ctaops.atresys.store import MODES, STATES, BadRow, HistoryEntry, Hold, Listing, Mode, State, Store, TapeRow

__all__ = ["MODES", "STATES", "BadRow", "HistoryEntry", "Hold", "Listing", "Mode", "State", "Store", "TapeRow"]
