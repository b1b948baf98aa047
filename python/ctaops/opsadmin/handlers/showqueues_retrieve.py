"""``cta-ops-admin showqueues retrieve`` (``sq r``): the retrieve queues, one row per queue, then totals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ctaops.opsadmin.handlers._queues import add_arguments, run_kind

if TYPE_CHECKING:
    import argparse

    from ctaops.opsadmin.context import Context

HELP = "the retrieve queues with queued files and data, ages and mounts, then totals"


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Print the retrieve queues."""
    return run_kind(ctx, args, "retrieve")


__all__ = ["HELP", "add_arguments", "run"]
