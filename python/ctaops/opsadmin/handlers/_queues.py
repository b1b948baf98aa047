"""``showqueues retrieve|archive``: the queue views operators read (ctautils' "Tape Showqueues")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ctaops.utils.showqueues import render_showqueues, select

if TYPE_CHECKING:
    import argparse

    from ctaops.opsadmin.context import Context


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the filters and the raw-numbers switch."""
    parser.add_argument("--tapepool", "-t", help="only the queues of this tape pool")
    parser.add_argument("--vo", help="only the queues of this VO")
    parser.add_argument("--raw", action="store_true", help="bytes and seconds as numbers, not 1.5T and 6m52s")


def run_kind(ctx: Context, args: argparse.Namespace, kind: str) -> int:
    """Print the ``kind`` queues (table and totals, or the selected CTA records with ``--json``)."""
    records = ctx.admin.show_queues()
    if ctx.json:
        ctx.emit_json(select(records, kind, tapepool=args.tapepool, vo=args.vo))
        return 0
    ctx.print(
        render_showqueues(
            records, kind, config=ctx.config, human=not args.raw, tapepool=args.tapepool, vo=args.vo, empty=ctx.empty
        )
    )
    return 0
