"""Compatibility package for scripts written against upstream's ``ctautils``.

Each module follows one documented upstream module and re-exports the ctaops
implementation (see docs/ctautils.md for the mapping and what is not provided).
"""

from __future__ import annotations

__all__ = [
    "cmd_utils",
    "config_holder",
    "dict_utils",
    "log_utils",
    "mail_sender",
    "repack_utils",
    "sql_utils",
    "table_utils",
    "tape_showqueues",
    "yaml_loader",
]
