"""``cta-ops-admin drive test DRIVE --vid V [--files N] [--size S] [--block-size B]``: test a drive.

The drive goes down in CTA, a test cartridge (``--vid``, safe to overwrite as for mediacheck:
see :mod:`._tapetest`) is mounted, N files (``default_number_of_files`` of
``default_file_size``) are generated one at a time in ``default_file_path`` (the RAM disk, so
the disk is never what is measured), written, read back and compared by Adler-32; throughput and
errors are reported per file and in total. The cartridge is relabelled (empty again), unmounted,
the work directory removed and the drive put back as it was, also when the test fails halfway.
Exit 1 if any error was found.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import TYPE_CHECKING

from ctaops import _toolcli
from ctaops.opsadmin.handlers import _tapetest
from ctaops.tape import BLOCK_SIZE
from ctaops.utils.inputs import positive_int, size, utf8_text
from ctaops.utils.units import format_size_human

if TYPE_CHECKING:
    import argparse

    from ctaops.opsadmin.context import Context

HELP = "write files to a test cartridge in the drive, read them back, compare checksums; report throughput"
RAM_DISK = "/dev/shm"  # noqa: S108  (upstream's default_file_path is relative to the RAM disk)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the drive, the test cartridge, and the files' count, size and block size."""
    parser.add_argument("drive", type=utf8_text, help="the drive to test")
    parser.add_argument("--vid", "-v", type=utf8_text, help="the test cartridge (it is overwritten)")
    parser.add_argument("--files", "-n", type=positive_int, help="number of files (default_number_of_files)")
    parser.add_argument("--size", "-s", type=size, help="size of each file (default_file_size)")
    parser.add_argument("--block-size", "-b", type=size, help=f"tape block size (default_block_size, {BLOCK_SIZE})")


def _work_root(ctx: Context) -> str:
    """Return the work directory: ``default_file_path`` if its parent exists, else (upstream's) on the RAM disk."""
    path = str(ctx.section.get("default_file_path") or "/tape-drivetest/")
    parent = os.path.dirname(path.rstrip("/"))
    if path.startswith(RAM_DISK + "/") or (parent not in ("", "/") and os.path.isdir(parent)):
        return path
    return os.path.join(RAM_DISK, path.lstrip("/"))


def _settings(ctx: Context, args: argparse.Namespace) -> tuple[int, int]:
    count = (
        args.files
        if args.files is not None
        else int(_tapetest.number_setting(ctx.section.get("default_number_of_files") or 100, "default_number_of_files"))
    )
    file_size = (
        args.size
        if args.size is not None
        else _tapetest.size_setting(ctx.section.get("default_file_size") or "10G", "default_file_size")
    )
    block = (
        args.block_size
        if args.block_size is not None
        else _tapetest.size_setting(ctx.section.get("default_block_size") or BLOCK_SIZE, "default_block_size")
    )
    if file_size < 1:
        raise _toolcli.ToolExit(2, "--size must be at least 1 byte")
    if block != BLOCK_SIZE:
        # The engine writes as CTA's tape server does; another block size would test a format CTA never writes.
        raise _toolcli.ToolExit(2, f"--block-size {block}: the tape engine writes CTA's {BLOCK_SIZE}-byte blocks only")
    return count, file_size


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Test the drive; exit 1 on a refusal or any error found."""
    if not args.vid:
        raise _toolcli.ToolExit(2, "give --vid: the test cartridge to mount (it is overwritten)")
    vid = args.vid.upper()
    count, file_size = _settings(ctx, args)
    _tapetest.checked_tape(ctx, vid)
    drive = _tapetest.find_drive(ctx, args.drive)
    root = _work_root(ctx)
    if not ctx.would(
        f"put {drive.name} down, mount {vid}, write and read back {count} x {format_size_human(file_size)} "
        f"generated in {root}, relabel {vid}, unmount it, put {drive.name} back {'up' if drive.desired_up else 'down'}"
    ):
        return 0
    created = not os.path.isdir(root)
    os.makedirs(root, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix=f"{drive.name}-", dir=root)
    try:
        report = _tapetest.run_test(
            ctx, vid, drive, count=count, size=file_size, workdir=workdir, reason=f"cta-ops-admin drive test with {vid}"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # RAM is memory: never leave test files in it
        if created:
            with contextlib.suppress(OSError):  # another run may be using it
                os.rmdir(root)
    _tapetest.show(ctx, report)
    return 0 if report.ok else 1


__all__ = ["HELP", "add_arguments", "run"]
