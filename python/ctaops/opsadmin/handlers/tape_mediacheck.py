"""``cta-ops-admin tape mediacheck VID --drive D [--size S] [--files N]``: is a cartridge fit for reuse.

For a cartridge safe to overwrite only (empty in the catalogue, in a labelling pool, idle, no
files on the tape itself: see :mod:`._tapetest`). The drive goes down in CTA, the cartridge is
mounted, labelled, N files of random data (``random_file_size`` each unless ``--size``) are
written and read back with their Adler-32 compared, the label is rewritten so the cartridge is
labelled and empty again, it is unmounted and the drive goes back to its previous CTA state,
also when the check fails halfway. Write and read rates are reported per file and in total.
Exit 1 if any error was found.
"""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING

from ctaops import _toolcli
from ctaops.opsadmin.handlers import _tapetest
from ctaops.utils.inputs import positive_int, size, utf8_text
from ctaops.utils.units import format_size_human

if TYPE_CHECKING:
    import argparse

    from ctaops.opsadmin.context import Context

HELP = "write random files to an empty cartridge, read them back, compare checksums; report rates and errors"
DEFAULT_FILES = 10
"""Files written when ``--files`` is not given (upstream documents the size only)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VID, the drive, the file size and count."""
    parser.add_argument("vid", type=utf8_text, help="the cartridge to check (it is overwritten)")
    parser.add_argument("--drive", "-u", required=True, type=utf8_text, help="the drive to check it in")
    parser.add_argument("--size", "-s", type=size, help="size of each file (default: random_file_size)")
    parser.add_argument("--files", "-n", type=positive_int, default=DEFAULT_FILES, help="number of files")


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Check the cartridge; exit 1 on a refusal or any error found."""
    vid = args.vid.upper()
    file_size = (
        args.size
        if args.size is not None
        else _tapetest.size_setting(ctx.section.get("random_file_size"), "random_file_size")
    )
    if file_size < 1:
        raise _toolcli.ToolExit(2, "--size must be at least 1 byte")
    _tapetest.checked_tape(ctx, vid)
    drive = _tapetest.find_drive(ctx, args.drive)
    total = format_size_human(args.files * file_size)
    if not ctx.would(
        f"put {drive.name} down, mount {vid}, write and read back {args.files} x {format_size_human(file_size)} "
        f"({total}), relabel {vid}, unmount it, put {drive.name} back {'up' if drive.desired_up else 'down'}"
    ):
        return 0
    with tempfile.TemporaryDirectory(prefix="ctaops-mediacheck-") as workdir:
        report = _tapetest.run_test(
            ctx,
            vid,
            drive,
            count=args.files,
            size=file_size,
            workdir=workdir,
            reason=f"cta-ops-admin tape mediacheck {vid}",
        )
    _tapetest.show(ctx, report)
    return 0 if report.ok else 1


__all__ = ["HELP", "add_arguments", "run"]
