"""Submodules that load on first attribute access (the compatibility packages' ``__getattr__``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from types import ModuleType


def submodule_loader(package: str, names: Iterable[str]) -> Callable[[str], ModuleType]:
    """Return a module ``__getattr__`` that imports ``package.<name>`` for each of ``names``.

    ``import ctautils; ctautils.config_holder`` then works as ``__all__`` promises, without
    importing every submodule (and what they import) up front.
    """
    known = frozenset(names)

    def load(name: str) -> ModuleType:
        if name in known:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return load


__all__ = ["submodule_loader"]
