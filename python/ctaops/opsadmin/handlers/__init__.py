"""cta-ops-admin's handlers: one module per handler name (see :mod:`ctaops.opsadmin.context`)."""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

from ctaops.errors import ConfigError

if TYPE_CHECKING:
    from ctaops.opsadmin.context import Context


class Handler(Protocol):
    """What a handler module provides."""

    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the handler's options."""

    def run(self, ctx: Context, args: argparse.Namespace) -> int:
        """Do the work; return the exit status."""


def module_name(handler: str) -> str:
    """``tape-summary`` → ``tape_summary``, ``custom:drive`` → ``custom_drive``."""
    return handler.replace("-", "_").replace(":", "_")


def load(handler: str) -> Handler:
    """Import the module of ``handler``; a name the table gives but ctaops lacks is a config error."""
    name = module_name(handler)
    if not name.isidentifier():
        raise ConfigError(f"cta-ops-admin handler {handler!r} is not a handler name")
    try:
        module: ModuleType = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
        where = "tools.cta-ops-admin.cta-ops-admin.commands"
        raise ConfigError(f"cta-ops-admin has no handler {handler!r} ({where})") from None
    return cast("Handler", module)


__all__ = ["Handler", "load", "module_name"]
