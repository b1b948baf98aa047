"""``cta-ops-pool-supply``'s command line: options, config, the run lock, exit status."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

from ctaops import _toolcli
from ctaops.poolsupply.model import DEFAULT_SEPARATOR, LOCK_NAME, PROG
from ctaops.poolsupply.plan import supply
from ctaops.poolsupply.report import add_metrics, print_report

if TYPE_CHECKING:
    from ctaops.utils.config import Config
    from ctaops.utils.metrics import ToolRun

TOOL_ID = "pool_supply"
"""The metrics' tool id: ``ctaops_pool_supply_*`` in ``ctaops_pool_supply.prom``."""


@contextlib.contextmanager
def run_lock(path: str) -> Iterator[bool]:
    """Hold ``path`` with a non-blocking ``flock``; yields False when another run holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        # Who holds it, for the message a second run prints; the lock is the flock, not this text.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield True
    finally:
        os.close(fd)


def _holder(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            pid = f.read().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def _parser() -> argparse.ArgumentParser:
    p = _toolcli.parser(PROG, "Move fresh tapes from supply pools into tape pools below their number of partial tapes.")
    p.add_argument("--dry-run", action="store_true", help="print the plan (would: lines), change nothing")
    p.add_argument("--json", action="store_true", help="print the report as one JSON document instead of a table")
    p.add_argument("--pool", nargs="+", action="extend", metavar="POOL", help="only refill these pools")
    p.add_argument(
        "--metrics-file",
        metavar="FILE",
        help="write Prometheus textfile metrics here (default: the metrics_file key, "
        "else <global.metrics.textfile_dir>/ctaops_pool_supply.prom)",
    )
    return p


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool and return its exit status (errors raise; :func:`main` turns them into one line)."""
    from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --help fast)
    from ctaops.utils.metrics import ToolRun, textfile_path  # noqa: PLC0415

    args = _parser().parse_args(argv)
    config = load_config(args.config_file, PROG)
    verbose = bool(args.verbose or config.tool_value("debug"))
    log = _toolcli.setup_logging(PROG, verbose, config=config, log_json=args.log_json)
    log.info("started: %s", " ".join([PROG, *(sys.argv[1:] if argv is None else argv)]))
    path = textfile_path(
        config, TOOL_ID, override=args.metrics_file or str(config.tool_value("metrics_file") or "") or None
    )
    if path is not None and args.dry_run:
        print(f"{PROG}: would write {path}", file=sys.stderr)
        path = None
    with ToolRun(TOOL_ID, path, roots=[config.logging.log_dir, config.metrics.textfile_dir]) as metrics:
        return metrics.done(_supply(args, config, log, metrics))


def _supply(args: argparse.Namespace, config: Config, log: logging.Logger, metrics: ToolRun) -> int:
    """Do the run proper, under the lock; its outcome goes into ``metrics``."""
    from ctaops.admin import CtaAdmin  # noqa: PLC0415  (keeps --help fast)
    from ctaops.utils.files import make_parent  # noqa: PLC0415

    separator = str(config.tool_value("separator") or DEFAULT_SEPARATOR)
    admin = CtaAdmin(config, tool=PROG)
    lock = os.path.join(config.logging.log_dir, LOCK_NAME)
    if args.dry_run:
        held: contextlib.AbstractContextManager[bool] = contextlib.nullcontext(True)
    else:
        make_parent(lock, [config.logging.log_dir])
        held = run_lock(lock)
    with held as ours:
        if not ours:
            msg = f"another run holds the lock {lock}{_holder(lock)}: nothing done"
            log.warning("%s", msg)
            print(f"{PROG}: {msg}", file=sys.stderr)
            metrics.path = None  # the run holding the lock writes the pools' metrics; keep them
            return 0
        outcome = supply(admin, separator=separator, dry_run=args.dry_run, only=args.pool, log=log)
    print_report(outcome, as_json=args.json, config=config, out=sys.stdout)
    add_metrics(metrics.registry, outcome)
    moved = sum(1 for m in outcome.moves if m.result in ("moved", "would"))
    log.info(
        "%d pool(s) looked at, %d tape(s) %s, %d problem(s)",
        len(outcome.pools),
        moved,
        "would move" if args.dry_run else "moved",
        len(outcome.problems),
    )
    return 1 if outcome.failed else 0


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point of ``cta-ops-pool-supply``."""
    _toolcli.run(PROG, run, argv)
