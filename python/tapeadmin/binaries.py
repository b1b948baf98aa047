"""``global.binaries``: the paths of the external programs upstream's tapeadmin runs.

A site that configures e.g. ``cta_smc`` or its ``tape_mount`` script gets that path here, and
``run_binary`` runs it as an argument vector (never through a shell).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ctaops.utils.cmd import CmdResult, run_cmd

if TYPE_CHECKING:
    from ctaops.utils.config import Config


def binary_path(key: str, config: Config | None = None) -> str:
    """Return the configured path of ``key`` (``cta_smc``, ``tape_mount``, ``sg_logs`` …)."""
    if config is None:
        from ctaops.utils.config import load_config  # noqa: PLC0415  (loaded only when needed)

        config = load_config()
    return config.binaries.get(key)


def run_binary(key: str, args: Sequence[str], config: Config | None = None, timeout: float | None = None) -> CmdResult:
    """Run the configured ``key`` binary with ``args``; returns its output and status."""
    return run_cmd([binary_path(key, config), *args], timeout=timeout)


__all__ = ["binary_path", "run_binary"]
