"""``cta-ops-admin tape label VID… [--drive D] [--native] [--oldlabel OLD]``: label tapes one after the other.

Each tape is checked first and refused with the reason (:func:`_tapetest.refusal`: not in the
catalogue, a pool without a labelling prefix, data in the catalogue, a state other than
ACTIVE/DISABLED, mounted or in a CTA session; and, where it can be read without a mount, files
on the tape itself). No option overrides these: a tape with data is reclaimed in CTA first.

Labelling goes through ``global.binaries.cta_label`` (``cta-tape-label --vid V [--drive D]
[--oldlabel O]``), or with ``--native`` through ctaops' own tape engine (mount in ``--drive``
through the library, ``label_tape``, unmount). A ``--drive`` is down in CTA while a tape is
labelled in it and back in its previous state after. After
each label the tool waits up to ``not_free_timeout`` seconds for the cartridge to leave the
drive, then reads the label back. One lock file (``lock_file``, ``flock``) keeps two label
runs from overlapping. Exit 1 if any tape was refused or failed.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.errors import CtaOpsError
from ctaops.opsadmin.handlers import _library, _tapetest
from ctaops.tape import TapeDevice, TapeImage, inspect, label_tape
from ctaops.utils.inputs import utf8_text
from ctaops.utils.redact import one_line

if TYPE_CHECKING:
    import argparse

    from ctaops.opsadmin.context import Context

HELP = "label tapes one after the other, each checked first (labelling pool, empty, idle, state)"
HEADERS = {"vid": "VID", "result": "Result", "reason": "Why"}
LABEL_TIMEOUT = 7200
"""Seconds a cta-tape-label run may take: its own default load timeout."""


class Failed(Exception):
    """A tape whose labelling went wrong (the message says how)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VIDs, the drive, the labelling engine and the old label."""
    parser.add_argument("vids", nargs="+", metavar="VID", type=utf8_text, help="the tapes to label, in order")
    parser.add_argument("--drive", "-u", type=utf8_text, help="the drive to label in (required with --native)")
    parser.add_argument("--native", action="store_true", help="label with ctaops' tape engine, not cta_label")
    parser.add_argument("--oldlabel", "-o", type=utf8_text, help="the label the tape carries now, if not its VID")


@contextmanager
def _lock(path: str) -> Iterator[None]:
    """Hold ``path`` (non-blocking flock) for the run; a second run refuses at once."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _toolcli.ToolExit(1, f"another label run holds {path}") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _label_command(ctx: Context, vid: str, args: argparse.Namespace) -> list[str]:
    command = [ctx.config.binaries.cta_label, "--vid", vid]
    if args.drive:
        command += ["--drive", args.drive]
    if args.oldlabel:
        command += ["--oldlabel", args.oldlabel]
    return command


def _with_tool(ctx: Context, vid: str, args: argparse.Namespace) -> None:
    command = _label_command(ctx, vid, args)
    try:
        done = subprocess.run(  # noqa: S603  (the configured binary, arguments as a list)
            command, check=False, capture_output=True, text=True, timeout=LABEL_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failed(f"{command[0]}: {e}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise Failed(
            f"{os.path.basename(command[0])} exit {done.returncode}: {message[-1] if message else 'no message'}"
        )


def _native_label(tape: TapeDevice, vid: str, old: str | None) -> None:
    why = _tapetest.on_tape_refusal(tape, vid, old)
    if why:
        raise Failed(f"refused on the tape: {why}")
    tape.rewind()
    # on_tape_refusal allowed only a blank tape or one labelled VID/OLD: forcing over OLD's label is safe.
    label_tape(tape, vid, force=old is not None)
    tape.rewind()
    state, vsn = inspect(tape)  # read back while mounted: a real library's tape needs no second mount
    if (state, vsn) != ("labelled", vid):
        raise Failed(f"the tape reads back as {state} with label {vsn or 'none'} right after labelling")


def _native(ctx: Context, vid: str, drive: _tapetest.Drive, old: str | None) -> None:
    with (
        _tapetest.drive_down(ctx, drive, f"cta-ops-admin tape label {vid}"),
        _tapetest.mounted(ctx, vid, drive) as tape,
    ):
        _native_label(tape, vid, old)


def _read_back(ctx: Context, vid: str) -> None:
    """Check the new VOL1 where the tape can be read without a mount (the simulator's image)."""
    path = _tapetest.image_path(ctx, vid)
    if path is None:
        ctx.log.info("%s: label not read back (a real library's tape needs a mount)", vid)
        return
    with TapeImage(path) as tape:
        state, vsn = inspect(tape)
    if (state, vsn) != ("labelled", vid):
        raise Failed(f"the tape reads back as {state} with label {vsn or 'none'}, not a fresh label {vid}")


def _label_and_check(ctx: Context, vid: str, args: argparse.Namespace, drive: _tapetest.Drive | None) -> None:
    if drive is None:
        _with_tool(ctx, vid, args)  # the tool picks its drive (its tape server's first)
    elif args.native:
        _native(ctx, vid, drive, args.oldlabel)
    else:
        with _tapetest.drive_down(ctx, drive, f"cta-ops-admin tape label {vid}"):
            _with_tool(ctx, vid, args)
    timeout: float = args.not_free_timeout
    if not _tapetest.wait_unmounted(ctx, vid, timeout):
        raise Failed(f"labelled, but still in a drive {timeout:g} s later (not_free_timeout)")
    _read_back(ctx, vid)


def _label_one(ctx: Context, vid: str, args: argparse.Namespace, drive: _tapetest.Drive | None) -> dict[str, Any]:
    why = _tapetest.refusal(ctx, _library.catalogue(ctx, vid), vid) or _tapetest.peek_refusal(ctx, vid, args.oldlabel)
    if why:
        return {"vid": vid, "result": "refused", "reason": why}
    engine = "ctaops' tape engine" if args.native else os.path.basename(ctx.config.binaries.cta_label)
    where = f" in {args.drive}" if args.drive else ""
    if not ctx.would(f"label {vid}{where} with {engine}"):
        return {"vid": vid, "result": "would label", "reason": ""}
    try:
        _label_and_check(ctx, vid, args, drive)
    except (Failed, CtaOpsError, OSError) as e:
        return {"vid": vid, "result": "failed", "reason": one_line(e)}
    return {"vid": vid, "result": "labelled", "reason": ""}


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Label each VID in turn under the lock; print the table; exit 1 if any was refused or failed."""
    vids = list(dict.fromkeys(v.upper() for v in args.vids))
    if args.native and not args.drive:
        raise _toolcli.ToolExit(2, "--native needs --drive (the drive the tape is mounted in)")
    # Read before the first tape: a bad setting must not stop the run halfway.
    args.not_free_timeout = _tapetest.number_setting(ctx.section.get("not_free_timeout") or 0, "not_free_timeout")
    lock_file = str(ctx.section.get("lock_file") or "/tmp/tape-label.lock")  # noqa: S108  (upstream's default)
    # The drive is looked up once: an unknown or busy drive refuses the whole run before any tape.
    # It is kept down in CTA while a tape is labelled in it, so no CTA session takes it meanwhile.
    drive = _tapetest.find_drive(ctx, args.drive, data_path=args.native) if args.drive else None
    if ctx.dry_run:
        results = [_label_one(ctx, vid, args, drive) for vid in vids]
    else:
        with _lock(lock_file):
            results = []
            for vid in vids:
                results.append(_label_one(ctx, vid, args, drive))
                ctx.log.info("%s: %s %s", vid, results[-1]["result"], results[-1]["reason"])
    if ctx.json:
        ctx.emit_json(results)
    else:
        ctx.print(ctx.rows_table(results, HEADERS))
    return 0 if all(r["result"] in ("labelled", "would label") for r in results) else 1


__all__ = ["HELP", "add_arguments", "run"]
