"""``cta-ops-verify-tape``: verify a selection of the files of one tape.

Files are chosen as upstream does (the union of the first N and last N files in fSeq order, N
random files, and random files until ``--read_time`` seconds at 300 MB/s or ``--data_size``
bytes are reached; defaults from ``tools.cta-ops-tape-verify.cta-ops-verify-tape``), then either

* submitted through ``cta-verify-file`` (``global.binaries.cta_verify_file_cmd``), with the tape's
  verification status set to ``ongoing`` (``cta-ops-verification-feeder`` closes it later), or
* with ``--native``, read back here from ``--image``/``--device`` by the Rust engine, with the
  status set to ``done`` or ``failed`` straight away.

Logs go to stderr and ``<log_dir>/cta-ops-verify-tape.log``; the status set is printed on stdout.
Every run (not ``--dry-run``) rewrites ``<global.metrics.textfile_dir>/ctaops_verify_tape.prom``
(``ctaops_verify_tape_files{vid,outcome}``, ``ctaops_verify_tape_selected_bytes{vid}`` and the
standard run metrics). Exit 0 on success, 1 on failure (or when a natively verified file is bad),
2 on usage errors.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence

from ctaops.admin import CtaAdmin
from ctaops.errors import RefusedError
from ctaops.tapeverify import common
from ctaops.tapeverify.metrics import VERIFY_TAPE
from ctaops.tapeverify.status import TS_FORMAT, VerificationStatus
from ctaops.utils.cmd import run_tracked
from ctaops.utils.config import Config
from ctaops.utils.inputs import non_negative_int, size, utf8_text
from ctaops.utils.metrics import Metric, Registry, ToolRun, textfile_path
from ctaops.utils.progress import Progress
from ctaops.utils.units import parse_size
from ctaops.verify import CatalogueEntry, parse_tapefile_ls, select_files, verify_tape
from ctaops.verify import Progress as VerifyProgress

PROG = "cta-ops-verify-tape"
READ_RATE = 300_000_000
"""Bytes per second upstream assumes when turning ``--read_time`` into a data volume."""
BATCH = 500
"""Archive file IDs per ``cta-verify-file`` call (keeps the command line short)."""
DEFAULTS = {"default_first": 10, "default_last": 10, "default_random": 10, "default_read_time": 0}


def _parser() -> argparse.ArgumentParser:
    p = common.parser(PROG, "Verify files of a tape through cta-verify-file, or natively with --native.")
    p.add_argument("--vid", required=True, type=utf8_text, help="the tape")
    p.add_argument("--first", type=non_negative_int, metavar="N", help="the first N files (fSeq order)")
    p.add_argument("--last", type=non_negative_int, metavar="N", help="the last N files (fSeq order)")
    p.add_argument("--random", type=non_negative_int, metavar="N", help="N random files")
    p.add_argument(
        "--read-time",
        "--read_time",
        type=non_negative_int,
        metavar="SECONDS",
        help="add files until reading takes this long at 300 MB/s",
    )
    p.add_argument(
        "--data-size",
        "--data_size",
        type=size,
        metavar="SIZE",
        help="add files until this much data is selected (e.g. 500G)",
    )
    p.add_argument("--seed", type=non_negative_int, help="seed of the random choice (default: the clock)")
    p.add_argument("--force", action="store_true", help="verify even if a verification is ongoing")
    p.add_argument("--native", action="store_true", help="read the files here instead of cta-verify-file")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--image", metavar="PATH", help="with --native: the tape's SIMH image file")
    where.add_argument("--device", metavar="DEVICE", help="with --native: the st drive holding it (e.g. /dev/nst0)")
    return p


def _selection(args: argparse.Namespace, cfg: Config, entries: list[CatalogueEntry]) -> tuple[list[int], str]:
    def opt(name: str) -> int:
        given = getattr(args, name)
        value = given if given is not None else common.setting(cfg, f"default_{name}", DEFAULTS[f"default_{name}"])
        if int(value) < 0:
            raise ValueError(f"--{name} must not be negative")
        return int(value)

    first, last, rnd, read_time = opt("first"), opt("last"), opt("random"), opt("read_time")
    data_size = (
        args.data_size
        if args.data_size is not None
        else parse_size(str(common.setting(cfg, "default_read_data_size", "0B")))
    )
    seed = args.seed if args.seed is not None else time.time_ns() & 0xFFFFFFFF
    min_bytes = max(data_size, read_time * READ_RATE)
    fseqs, _ = select_files(entries, first=first, last=last, random=rnd, seed=seed, min_bytes=min_bytes)
    how = f"first {first}, last {last}, random {rnd} (seed {seed}), at least {min_bytes} bytes"
    return fseqs, how


def _set_status(admin: CtaAdmin, log: logging.Logger, vid: str, status: VerificationStatus, dry_run: bool) -> None:
    text = status.to_json()
    if dry_run:
        log.info("Dry run: would set the verification status of tape %s to %s", vid, text)
        return
    admin.tape_ch(vid, verificationstatus=text)
    log.info("Verification status of tape %s set to %s", vid, text)


def _native(
    args: argparse.Namespace,
    ctx: tuple[Config, logging.Logger, CtaAdmin],
    chosen: list[CatalogueEntry],
    entries: list[CatalogueEntry],
    files: Metric,
) -> int:
    cfg, log, admin = ctx
    source = args.image or args.device
    if not source:
        raise ValueError("--native needs --image PATH or --device DEVICE")
    if args.dry_run:
        log.info("Dry run: would read %d files of tape %s from %s", len(chosen), args.vid, source)
        return 0
    from ctaops.tape import StDrive  # noqa: PLC0415 - only the native path needs the devices

    tape = StDrive(args.device) if args.device else args.image
    log.info("Reading %d files of tape %s from %s", len(chosen), args.vid, source)
    # Hours on a full tape: a redrawn line on a terminal, a log line every minute otherwise.
    with Progress(f"Tape {args.vid}", sum(e.size for e in chosen), logger=log, unit="B") as progress:

        def show(p: VerifyProgress) -> None:
            progress.update(p.bytes_done, detail=f"{p.files_done}/{len(chosen)} files")

        report = verify_tape(tape, args.vid, catalogue=entries, fseqs=[e.fseq for e in chosen], progress=show)
    bad = [f for f in report.files if f.status not in ("ok", "placeholder")]
    for f in bad:
        log.error("File fSeq %d (archive id %s) of tape %s: %s: %s", f.fseq, f.archive_id, args.vid, f.status, f.detail)
    for e in report.tape_errors:
        log.error("Tape %s: %s", args.vid, e)
    failed = len(bad) + (1 if report.tape_errors and not bad else 0)
    verified = len(report.files) - len(bad)
    files.set(verified, vid=args.vid, outcome="verified")
    files.set(len(bad), vid=args.vid, outcome="failed")
    log.info(
        "Tape %s: %d files verified, %d failed, %d bytes read at %.1f MB/s",
        args.vid,
        verified,
        len(bad),
        report.summary.bytes,
        report.summary.bytes_per_second / 1e6,
    )
    ts_format = str(common.setting(cfg, "ts_format", TS_FORMAT))
    status = VerificationStatus.started(len(chosen), ts_format).finished(verified, failed)
    _set_status(admin, log, args.vid, status, False)
    print(status.to_json())
    return 0 if report.all_ok else 1


def _submit(
    args: argparse.Namespace,
    ctx: tuple[Config, logging.Logger, CtaAdmin],
    chosen: list[CatalogueEntry],
    files: Metric,
) -> int:
    cfg, log, admin = ctx
    base = cfg.binaries.cta_verify_file_argv
    if not base:
        raise ValueError("global.binaries.cta_verify_file_cmd is empty")
    ids = [e.archive_id for e in chosen]
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    commands = [[*base, ",".join(map(str, b)), "--vid", args.vid] for b in batches]
    ts_format = str(common.setting(cfg, "ts_format", TS_FORMAT))
    if args.dry_run:
        for cmd in commands:
            log.info("Dry run: would run %s", " ".join(cmd))
        _set_status(admin, log, args.vid, VerificationStatus.started(len(ids), ts_format), True)
        return 0
    log.info("Submitting %d files of tape %s to cta-verify-file", len(ids), args.vid)
    submitted: list[int] = []
    object_ids: list[str] = []
    env = common.xrd_env(cfg)
    for batch, cmd in zip(batches, commands):
        proc = run_tracked(cmd, env=env, timeout=600)
        lines = [s for s in proc.stdout.splitlines() if s.strip()]
        errors = [s for s in proc.stderr.splitlines() if s.strip()]
        if proc.returncode != 0 and len(lines) != len(batch):
            log.error("cta-verify-file failed (exit %d): %s", proc.returncode, "; ".join(errors) or "no message")
            break
        for message in errors:  # requests were queued; what went wrong with them is reported here too
            log.warning("cta-verify-file: %s", message)
        submitted += batch
        object_ids += lines
    files.set(len(submitted), vid=args.vid, outcome="submitted")
    if not submitted:
        log.error("No file of tape %s was submitted; verification status left unchanged", args.vid)
        return 1
    status = VerificationStatus.started(len(submitted), ts_format)
    common.save_submission(
        cfg, args.vid, {"vid": args.vid, "date": status.date, "archive_ids": submitted, "object_ids": object_ids}
    )
    _set_status(admin, log, args.vid, status, False)
    print(status.to_json())
    return 0 if len(submitted) == len(ids) else 1


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool on ``argv`` (default: the command line); return the exit status."""
    args = _parser().parse_args(argv)
    if (args.image or args.device) and not args.native:
        _parser().error("--image and --device need --native")
    cfg, log = common.setup(PROG, args)
    path = None if args.dry_run else textfile_path(cfg, VERIFY_TAPE)
    with ToolRun(VERIFY_TAPE, path, roots=[common.log_dir(cfg), cfg.metrics.textfile_dir]) as tool_run:
        return tool_run.done(_verify(args, (cfg, log), tool_run.registry))


def _verify(args: argparse.Namespace, ctx: tuple[Config, logging.Logger], reg: Registry) -> int:
    cfg, log = ctx
    admin = CtaAdmin(cfg)  # binary, --config, keytab, translations from the config
    tapes = admin.tapes(vid=args.vid)
    if len(tapes) == 0:
        log.error("Tape %s does not exist in the catalogue", args.vid)
        return 1
    current = VerificationStatus.parse(tapes[0].to_dict().get("verificationStatus"))
    if current is not None and current.status == "ongoing" and not args.force:
        raise RefusedError(
            f"tape {args.vid} is already being verified (since {current.date}); use --force to verify it again"
        )
    entries = parse_tapefile_ls(admin.tape_files(args.vid).to_json(), args.vid)
    if not entries:
        log.info("Tape %s holds no files: nothing to verify", args.vid)
        return 0
    fseqs, how = _selection(args, cfg, entries)
    if not fseqs:
        log.error("No file of tape %s selected (%s)", args.vid, how)
        return 1
    by_fseq = {e.fseq: e for e in entries}
    chosen = [by_fseq[f] for f in fseqs]
    files = reg.gauge(
        "files", "Files of the last run's tape by outcome (selected, submitted, verified, failed).", ("vid", "outcome")
    )
    files.set(len(chosen), vid=args.vid, outcome="selected")
    reg.gauge("selected_bytes", "Bytes of the files the last run selected.", ("vid",)).set(
        sum(e.size for e in chosen), vid=args.vid
    )
    log.info(
        "Selected %d of the %d files of tape %s (%s): %d bytes",
        len(chosen),
        len(entries),
        args.vid,
        how,
        sum(e.size for e in chosen),
    )
    if args.native:
        return _native(args, (cfg, log, admin), chosen, entries, files)
    return _submit(args, (cfg, log, admin), chosen, files)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point of ``cta-ops-verify-tape``."""
    common.run_main(PROG, run, argv)


if __name__ == "__main__":
    main()
