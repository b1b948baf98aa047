"""Compatibility package for scripts written against upstream's ``ctautils``.

Each module follows one documented upstream module and re-exports the ctaops
implementation (see docs/ctautils.md for the mapping and what is not provided).
"""

from __future__ import annotations

from ctaops import __version__
from ctaops.utils.lazy import submodule_loader

__all__ = [
    "__version__",
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


# `ctautils.config_holder` after a bare `import ctautils`, as upstream scripts do.
__getattr__ = submodule_loader(__name__, (n for n in __all__ if n != "__version__"))
