"""Shared library of the ops tools (upstream ``ctautils``).

Config, logging, units, tables, mail, showqueues rendering and error translation.

Submodules are imported on use, so ``import ctaops.utils`` stays cheap::

    from ctaops.utils.config import load_config
    from ctaops.utils.logging import init_logger, log_and_exit
"""

from __future__ import annotations

__all__ = ["config", "dicts", "inputs", "logging", "mail", "showqueues", "tables", "translate", "units"]
