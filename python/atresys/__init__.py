"""``import atresys``: the ATRESYS (automated tape repacking) API for upstream-style scripts.

A thin alias of :mod:`ctaops.atresys`: the store's names at the top, and the step modules
(``atresys.scan`` … ``atresys.finish``, ``atresys.monitor``, ``atresys.step``, ``atresys.settings``)
are the very modules of ``ctaops.atresys``, so ``import atresys.prepare`` and
``atresys.prepare.main([...])`` work as with ``ctaops.atresys``. See ``docs/atresys.md``.
"""

from __future__ import annotations

import importlib
import sys

from ctaops import __version__
from ctaops.atresys import MODES, STATES, HistoryEntry, Mode, State, Store, TapeRow
from ctaops.atresys import end as end
from ctaops.atresys import finish as finish
from ctaops.atresys import monitor as monitor
from ctaops.atresys import prepare as prepare
from ctaops.atresys import quarantine as quarantine
from ctaops.atresys import reclaim as reclaim
from ctaops.atresys import scan as scan
from ctaops.atresys import settings as settings
from ctaops.atresys import start as start
from ctaops.atresys import step as step
from ctaops.atresys import store as store

MODULES = ("scan", "prepare", "start", "end", "quarantine", "reclaim", "finish", "monitor", "step", "settings", "store")
"""The submodules shared with :mod:`ctaops.atresys`."""

# `import atresys.scan` looks in sys.modules first: point it at the one module, not a copy.
for _name in MODULES:
    sys.modules.setdefault(f"{__name__}.{_name}", importlib.import_module(f"ctaops.atresys.{_name}"))

__all__ = [
    "MODES",
    "MODULES",
    "STATES",
    "HistoryEntry",
    "Mode",
    "State",
    "Store",
    "TapeRow",
    "__version__",
    "end",
    "finish",
    "monitor",
    "prepare",
    "quarantine",
    "reclaim",
    "scan",
    "settings",
    "start",
    "step",
    "store",
]
