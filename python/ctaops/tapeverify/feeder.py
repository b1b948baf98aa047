"""``cta-ops-verification-feeder``: keep a target number of tapes under verification.

Each run (typically from cron):

1. closes finished verifications: a tape whose status is ``ongoing`` and which has no retrieve
   queued any more gets ``done`` or ``failed`` with ``files_verified``/``files_failed``, counting
   the failed retrieve requests (``cta-admin failedrequest ls --vid V``) of the requests
   ``cta-ops-verify-tape`` submitted (their object ids are remembered in ``state_dir``; without
   that record every failed retrieve on the tape counts);
2. counts the tapes still ``ongoing`` against ``--maxverify``;
3. picks new tapes among the eligible ones (ACTIVE, holding files, not under verification,
   ``--tapepool``, ``--min_data_on_tape`` bytes, ``--min_age`` days since the last write,
   ``--min_relative_capacity`` percent of the capacity used) by ``--verify_policy``:
   ``random``, ``last_verified`` (never verified first, then the oldest verification) or
   ``last_read`` (never read first, then the oldest read);
4. runs ``cta-ops-verify-tape --vid V <--verify_options>`` for each.

Every run (not ``--dry-run``) writes
``<global.metrics.textfile_dir>/ctaops_verification_feeder.prom``: the fleet's verification
coverage as CTA listed it once finished verifications were closed (tapes by time since their
last verification and by status, the oldest verification), what the run did (closed,
submitted, failed to submit, in flight against the target) and the standard run metrics
(``docs/monitoring.md``).

Defaults come from ``tools.cta-ops-tape-verify.cta-ops-verification-feeder``.
"""

from __future__ import annotations

import argparse
import logging
import random
import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ctaops.admin import CtaAdmin
from ctaops.tapeverify import common, metrics
from ctaops.tapeverify.status import VerificationStatus
from ctaops.utils.cmd import run_tracked
from ctaops.utils.config import Config
from ctaops.utils.inputs import non_negative_int, size
from ctaops.utils.metrics import Registry, ToolRun, textfile_path
from ctaops.utils.units import parse_size

PROG = "cta-ops-verification-feeder"
POLICIES = ("random", "last_verified", "last_read")
DEFAULTS: dict[str, Any] = {
    "default_max_verify": 10,
    "default_verify_options": "--first 10 --last 10 --read_time 30",
    "default_min_age": 0,
    "default_min_data_on_tape": 0,
    "default_min_relative_capacity": 0,
    "default_verify_policy": "last_verified",
}
DAY = 86400
_QUIET = logging.getLogger(f"{PROG}.metrics")
_QUIET.disabled = True  # counts the eligible tapes for the metrics without logging the filters again

Tape = Mapping[str, Any]


def _parser() -> argparse.ArgumentParser:
    p = common.parser(PROG, "Top up the number of tapes under verification to a target.")
    p.add_argument("--maxverify", type=non_negative_int, metavar="N", help="target number of tapes under verification")
    p.add_argument(
        "--min-data-on-tape",
        "--min_data_on_tape",
        type=size,
        metavar="SIZE",
        help="only tapes holding at least this much data (e.g. 500G)",
    )
    p.add_argument(
        "--verify-options",
        "--verify_options",
        metavar="OPTIONS",
        help='options for cta-ops-verify-tape, e.g. "--first 10 --last 10"',
    )
    p.add_argument("--verify-policy", "--verify_policy", choices=POLICIES, help="how to choose among eligible tapes")
    p.add_argument(
        "--min-age",
        "--min_age",
        type=non_negative_int,
        metavar="DAYS",
        help="only tapes last written at least this many days ago",
    )
    p.add_argument(
        "--min-relative-capacity",
        "--min_relative_capacity",
        type=non_negative_int,
        metavar="PERCENT",
        help="only tapes at least this full",
    )
    p.add_argument(
        "--tapepool", action="append", metavar="POOL", help="only tapes of these pools (repeat or comma-separate)"
    )
    p.add_argument("--seed", type=non_negative_int, help="seed of the random policy (default: the clock)")
    return p


def _status(tape: Tape) -> VerificationStatus | None:
    return VerificationStatus.parse(tape.get("verificationStatus"))


def _log_time(tape: Tape, key: str) -> int:
    entry = tape.get(key)
    return int(entry.get("time", 0)) if isinstance(entry, Mapping) else 0


def _still_queued(admin: CtaAdmin) -> set[str]:
    """VIDs with retrieve requests queued or being served."""
    busy = set()
    for q in admin.show_queues():
        d = q.to_dict()
        if d.get("vid") and (int(d.get("queuedFiles", 0)) > 0 or int(d.get("curFiles", 0)) > 0):
            busy.add(str(d["vid"]))
    return busy


def _close_finished(
    ctx: tuple[Config, logging.Logger, CtaAdmin], tapes: list[dict[str, Any]], dry_run: bool
) -> list[str]:
    """Close the finished verifications; the status each got (``done``/``failed``)."""
    cfg, log, admin = ctx
    closed_as: list[str] = []
    ongoing = [t for t in tapes if (s := _status(t)) is not None and s.status == "ongoing"]
    if not ongoing:
        return closed_as
    busy = _still_queued(admin)
    for tape in ongoing:
        vid = str(tape["vid"])
        current = _status(tape)
        if current is None or vid in busy:
            continue
        submission = common.load_submission(cfg, vid)
        failed_records = [r.to_dict() for r in admin.failed_requests(vid=vid)]
        if submission is not None and submission.get("date") == current.date:
            mine = set(submission.get("object_ids", []))
            failed = sum(1 for r in failed_records if r.get("objectId") in mine)
        else:
            failed = sum(1 for r in failed_records if str(r.get("requestType", "")).startswith("RETRIEVE"))
        failed = min(failed, current.files_submitted)
        closed = current.finished(current.files_submitted - failed, failed)
        log.info(
            "Verification of tape %s finished: %s (%d files verified, %d failed)",
            vid,
            closed.status,
            closed.files_verified,
            closed.files_failed,
        )
        closed_as.append(closed.status)
        if dry_run:
            log.info("Dry run: would set the verification status of tape %s to %s", vid, closed.to_json())
            continue
        admin.tape_ch(vid, verificationstatus=closed.to_json())
        common.forget_submission(cfg, vid)
        tape["verificationStatus"] = closed.to_json()
    return closed_as


def _eligible(args: argparse.Namespace, tapes: list[dict[str, Any]], log: logging.Logger) -> list[dict[str, Any]]:
    pools = {p for spec in args.tapepool or [] for p in spec.split(",") if p}
    now = time.time()

    def ok(t: Tape) -> bool:
        status = _status(t)
        written = _log_time(t, "lastWrittenLog") or _log_time(t, "creationLog")
        capacity = int(t.get("capacity", 0))
        used = int(t.get("occupancy", 0)) * 100 / capacity if capacity else 0
        return (
            t.get("state") == "ACTIVE"
            and int(t.get("nbMasterFiles", 0)) > 0
            and (status is None or status.status != "ongoing")
            and (not pools or t.get("tapepool") in pools)
            and now - written >= args.min_age * DAY
            and used >= args.min_relative_capacity
        )

    eligible = [t for t in tapes if ok(t)]
    log.info("%d tapes are eligible for verification", len(eligible))
    big = [t for t in eligible if int(t.get("masterDataInBytes", 0)) >= args.min_data_on_tape]
    log.info("%d of them have at least %d bytes of data on tape", len(big), args.min_data_on_tape)
    return big


def _choose(policy: str, tapes: list[dict[str, Any]], count: int, seed: int) -> list[dict[str, Any]]:
    if policy == "random":
        return random.Random(seed).sample(tapes, min(count, len(tapes)))  # noqa: S311 - not cryptographic
    if policy == "last_read":
        return sorted(tapes, key=lambda t: (_log_time(t, "lastReadLog"), str(t["vid"])))[:count]

    def verified_at(t: Tape) -> float:
        s = _status(t)
        return (s.timestamp() or 0.0) if s is not None else -1.0

    return sorted(tapes, key=lambda t: (verified_at(t), str(t["vid"])))[:count]


def _resolve(args: argparse.Namespace, cfg: Config) -> None:
    def pick(name: str, key: str) -> Any:
        value = getattr(args, name)
        return value if value is not None else common.setting(cfg, key, DEFAULTS[key])

    args.maxverify = int(pick("maxverify", "default_max_verify"))
    given = args.min_data_on_tape
    args.min_data_on_tape = (
        given if given is not None else parse_size(str(common.setting(cfg, "default_min_data_on_tape", 0)))
    )
    args.verify_options = str(pick("verify_options", "default_verify_options"))
    args.verify_policy = str(pick("verify_policy", "default_verify_policy"))
    args.min_age = int(pick("min_age", "default_min_age"))
    args.min_relative_capacity = int(pick("min_relative_capacity", "default_min_relative_capacity"))
    if args.verify_policy not in POLICIES:
        raise ValueError(f"unknown verify policy '{args.verify_policy}' (expected one of {', '.join(POLICIES)})")
    if args.maxverify < 0:
        raise ValueError("--maxverify must not be negative")


def _submit(args: argparse.Namespace, log: logging.Logger, tape: Tape) -> bool:
    vid = str(tape["vid"])
    cmd = [sys.executable, "-m", "ctaops.tapeverify.verify_tape", "--vid", vid, *shlex.split(args.verify_options)]
    if args.config_file:
        cmd += ["-C", args.config_file]
    log.info("Submitting verification for tape %s (media type: %s)", vid, tape.get("mediaType", "?"))
    if args.dry_run:
        log.info("Dry run: would run %s", shlex.join(cmd))
        return True
    proc = run_tracked(cmd, timeout=3600)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        log.error("Verification of tape %s could not be submitted (exit %d): %s", vid, proc.returncode, last)
        return False
    return True


def run(argv: Sequence[str] | None = None) -> int:
    """Run the feeder on ``argv`` (default: the command line); return the exit status."""
    args = _parser().parse_args(argv)
    cfg, log = common.setup(PROG, args)
    path = None if args.dry_run else textfile_path(cfg, metrics.FEEDER)
    roots = [common.log_dir(cfg), cfg.metrics.textfile_dir]
    with ToolRun(metrics.FEEDER, path, roots=roots) as tool_run:
        return tool_run.done(_feed(args, (cfg, log), tool_run.registry))


def _feed(args: argparse.Namespace, ctx: tuple[Config, logging.Logger], reg: Registry) -> int:
    cfg, log = ctx
    _resolve(args, cfg)
    admin = CtaAdmin(cfg)  # binary, --config, keytab, translations from the config
    tapes = [t.to_dict() for t in admin.tapes()]
    closed = _close_finished((cfg, log, admin), tapes, args.dry_run)
    metrics.add_coverage(reg, tapes, time.time())
    closed_gauge = reg.gauge("closed_tapes", "Verifications the last run found finished, by result.", ("status",))
    for status in ("done", "failed"):
        closed_gauge.set(closed.count(status), status=status)
    ongoing = sorted(str(t["vid"]) for t in tapes if (s := _status(t)) is not None and s.status == "ongoing")
    in_flight = reg.gauge("in_flight_tapes", "Tapes under verification after the last run (its submissions included).")
    in_flight.set(len(ongoing))
    reg.gauge("target_in_flight_tapes", "Tapes the feeder keeps under verification (--maxverify).").set(args.maxverify)
    submitted = reg.gauge("submitted_tapes", "Verifications the last run submitted.")
    failures = reg.gauge("submit_failed_tapes", "Verifications the last run could not submit.")
    eligible_gauge = reg.gauge("eligible_tapes", "Tapes eligible for a new verification (the feeder's filters).")
    log.info("Tapes currently being verified: %s", ", ".join(ongoing) or "none")
    log.info("%d tapes are currently being verified, target is %d", len(ongoing), args.maxverify)
    wanted = args.maxverify - len(ongoing)
    if wanted <= 0:
        log.info("Target reached: no new verification submitted")
        eligible_gauge.set(len(_eligible(args, tapes, _QUIET)))
        submitted.set(0)
        failures.set(0)
        return 0
    eligible = _eligible(args, tapes, log)
    eligible_gauge.set(len(eligible))
    seed = args.seed if args.seed is not None else time.time_ns() & 0xFFFFFFFF
    chosen = _choose(args.verify_policy, eligible, wanted, seed)
    log.info(
        "Based on policy: %s, following new tapes have been selected: %s",
        args.verify_policy,
        ", ".join(str(t["vid"]) for t in chosen) or "none",
    )
    results = [_submit(args, log, t) for t in chosen]
    submitted.set(sum(results))
    failures.set(len(results) - sum(results))
    in_flight.set(len(ongoing) + (0 if args.dry_run else sum(results)))
    return 0 if all(results) else 1


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point of ``cta-ops-verification-feeder``."""
    common.run_main(PROG, run, argv)


if __name__ == "__main__":
    main()
