"""What every scheduled ATRESYS step shares: options, config, claims, error mode, output, mail.

A step claims its tapes in the store (never a tape another run holds, never a ``manual`` or
``error`` tape), works on each one, and either advances it, releases it to try again next run
(:class:`Wait`), or puts it in ``error`` mode with the reason (:class:`TapeError` or any
unexpected ``cta-admin`` answer) and goes on with the next tape. ``--dry-run`` claims nothing,
changes nothing in CTA or the database, and reports what it would do.

Operator take-over: right before every ``cta-admin`` call that changes something (:meth:`Run.cta`)
the step re-checks, in the transaction that renews its claim, that the tape is still in the table,
in mode ``auto``, in the state it was claimed in and still claimed by this run. If not, the call is
not made and the tape is reported ``taken-over``, ``removed`` or ``lost`` with who did what, and
which calls this run had already made for it.

Crash injection: with ``CTAOPS_CRASH_AT=<step>:<point>`` (e.g. ``start:after-repack-add``) the
step calls ``os._exit(CRASH_EXIT)`` when it reaches that point, as ``kill -9`` would; the points
are listed in ``docs/atresys.md``. Used by the resume tests.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, cast, get_args

from ctaops import _toolcli
from ctaops.admin import AdminRecord, CtaAdmin
from ctaops.atresys.settings import Settings, repack_log_dir
from ctaops.atresys.store import MAX_REASON_LEN, Hold, State, Store, TapeRow
from ctaops.errors import (
    AtresysUnknownTapeError,
    ConfigError,
    CtaAdminError,
    CtaAdminKilledError,
    CtaAdminNotFoundError,
    CtaAdminSpawnError,
    CtaAdminTimeoutError,
    CtaAdminUserError,
    CtaOpsError,
)
from ctaops.utils.cmd import forward_termination
from ctaops.utils.config import Config, load_config
from ctaops.utils.files import make_parent
from ctaops.utils.logging import init_logger
from ctaops.utils.metrics import ToolRun, textfile_path
from ctaops.utils.progress import Progress
from ctaops.utils.redact import mask_credentials, one_line
from ctaops.utils.repack import TOOL, RepackPriority

CRASH_ENV = "CTAOPS_CRASH_AT"
"""Environment variable naming the crash point, ``<step>:<point>``."""
CRASH_EXIT = 99
"""Exit status of an injected crash."""
METRICS_TOOL = "repack"
"""The metrics' tool id: every step writes ``ctaops_repack_*{step=…}`` to ``ctaops_repack_<step>.prom``."""

# What a step does to a tape (the rest of the actions say why a tape was left alone).
_CHANGES = frozenset({"entered", "error", *get_args(State)})

# cta-admin could not run at all: not the tape's fault, so the run stops instead of
# putting every tape in error mode.
_INFRA = (CtaAdminNotFoundError, CtaAdminSpawnError, CtaAdminTimeoutError, CtaAdminKilledError)


class _Timed:
    """Counts the calls to and the time spent in ``cta-admin`` (``-V`` prints it; the benchmarks use it)."""

    def __init__(self, inner: CtaAdmin) -> None:
        self._inner = inner
        self.calls = 0
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.calls += 1
                self.seconds += time.perf_counter() - t0

        return timed


class TapeError(Exception):
    """CTA's answer about this tape is not what the step expects: the tape goes to ``error`` mode."""


class Wait(Exception):
    """The tape is not ready yet (e.g. a pending state): release it, the next run retries."""


class NotHeld(Exception):
    """The tape is no longer this run's (an operator took it over or removed it): stop working on it."""

    def __init__(self, hold: Hold, what: str) -> None:
        super().__init__(hold.detail)
        self.hold = hold
        self.what = what
        """The call that was not made."""


def _clip(reason: str) -> str:
    """One line the history takes (``MAX_REASON_LEN``)."""
    text = " ".join(reason.split())
    return text if len(text) <= MAX_REASON_LEN else text[: MAX_REASON_LEN - 1] + "…"


class Run:
    """One run of one step."""

    def __init__(self, name: str, script: str, args: argparse.Namespace) -> None:
        self.name = name
        self.script = script
        self.dry_run: bool = args.dry_run
        self.verbose: bool = args.verbose
        self.json: bool = args.json
        self.args = args
        self.cfg: Config = load_config(args.config_file, tool=TOOL)
        self.settings = Settings.from_config(self.cfg)
        # The file keeps every run's trail (stderr only shows it with -V, as before).
        self.log_dir = repack_log_dir(self.cfg)
        self.logger: logging.Logger = init_logger(
            script, config=self.cfg, debug=self.verbose, log_dir=self.log_dir, to_stderr=False, json_lines=args.log_json
        )
        self.logger.info("started: %s", " ".join([script, *sys.argv[1:]]) if sys.argv else script)
        # Binary, --config, sss keytab, timeout and error translations all come from the config.
        self._timed = _Timed(CtaAdmin(self.cfg, tool=TOOL))
        self.admin = cast(CtaAdmin, self._timed)
        self.actor = f"{script}@{socket.gethostname()}"
        # Whose claims these are: two runs of one step on one host must not take each other's
        # claim for their own (the history keeps the shorter ``actor``).
        self.owner = f"{self.actor} pid {os.getpid()}"
        self.results: list[dict[str, Any]] = []
        self.errors: list[tuple[str, str]] = []
        self.problems: list[str] = []
        """Malformed rows and the like: one ``error:`` line each on stderr, exit 1, not mailed."""
        self.text: str | None = None
        self.summary: str | None = None
        """When set, the end-of-step counts line instead of the one :meth:`counts` makes (scan's)."""
        """When set, printed instead of one line per result (scan's VID list)."""
        self._store: Store | None = None
        self._held: dict[str, State] = {}
        self._done: list[str] = []
        """The state-changing calls made for the tape being worked on (for the report)."""
        self._repacks: dict[str, AdminRecord] | None = None
        # A dry run changes nothing, the textfile included.
        path = None if self.dry_run else textfile_path(self.cfg, METRICS_TOOL, name=f"{METRICS_TOOL}_{name}")
        self.metrics = ToolRun(
            METRICS_TOOL,
            path,
            labels={"step": name},
            roots=[self.log_dir, self.cfg.logging.log_dir, self.cfg.metrics.textfile_dir],
        )
        """The step's Prometheus metrics (written by :func:`main` at the end, failed or not)."""

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The ATRESYS database, opened on first use (scan does not need it), its schema checked.

        A newer, older or damaged schema stops the run with one line.
        """
        if self._store is None:
            store = Store(self.cfg.source)
            store.check_schema()
            self._store = store
        return self._store

    def crash(self, point: str) -> None:
        """Abort the process here if ``CTAOPS_CRASH_AT`` names this step and point."""
        if os.environ.get(CRASH_ENV) == f"{self.name}:{point}":
            sys.stdout.flush()
            sys.stderr.write(f"{self.script}: injected crash at {self.name}:{point}\n")
            sys.stderr.flush()
            os._exit(CRASH_EXIT)

    def log(self, message: str, *, always: bool = False) -> None:
        """Into the log file; on stderr too with ``-V`` (or ``always``)."""
        self.logger.info("%s", message, stacklevel=2)
        if self.verbose or always:
            print(f"{self.script}: {mask_credentials(message)}", file=sys.stderr)

    def record(self, tape: str, action: str, *, change: bool = False, **detail: Any) -> None:
        """Note what happened to a tape (printed at the end).

        ``change``: the action changes CTA or the table; under ``--dry-run`` it is marked as what
        *would* happen (``would: `` before the line, ``"would": true`` in JSON) and nothing else
        differs from a real run's report.
        """
        entry: dict[str, Any] = {"tape": tape, "action": action, **detail}
        if change and self.dry_run:
            entry["would"] = True
        self.results.append(entry)
        self.log(
            f"{'would: ' if entry.get('would') else ''}{tape}: {action} {json.dumps(detail) if detail else ''}".rstrip()
        )

    def make_parent(self, path: os.PathLike[str] | str) -> None:
        """Create ``path``'s directory under the tool's ``logging.log_dir``; refuse elsewhere if missing."""
        make_parent(path, [self.log_dir])

    # -- the store -----------------------------------------------------------------------------

    def claim(self, state: State, limit: int) -> list[TapeRow]:
        """Up to ``limit`` auto tapes in ``state`` for this step (``--dry-run``: looked at, not claimed)."""
        if limit <= 0:
            return []
        if self.dry_run:
            return self.store.list(state=state, mode="auto")[:limit]
        rows = self.store.claim(
            self.name, state, limit, lease_seconds=self.settings.lease_seconds, who=self.owner, reason=self.script
        )
        self._held.update((r.tape, state) for r in rows)
        return rows

    def release(self, tape: str) -> None:
        """Give the tape back untouched (next run retries)."""
        if tape in self._held:
            self.store.release(tape, self.name)
            self._held.pop(tape, None)

    def release_all(self) -> None:
        """Give back every claim still held (the run stops early)."""
        for tape in list(self._held):
            self.release(tape)

    def advance(self, tape: str, to: State, reason: str) -> None:
        """Move the tape on (no-op under ``--dry-run``)."""
        if not self.dry_run:
            self.store.advance(tape, to, reason=_clip(reason), who=self.actor)
            self._held.pop(tape, None)
        self.record(tape, to, change=True, reason=reason)

    def fail(self, tape: str, reason: str) -> None:
        """Put the tape in ``error`` mode with the reason; the scheduled steps leave it alone from now on.

        Not if an operator took it over or removed it meanwhile: their decision stands, and the
        error is reported with it.
        """
        reason = " ".join(reason.split())[:500] or "unknown error"
        if not self.dry_run:
            hold = self.hold(tape)
            if hold.status != "held":
                self._not_held(tape, NotHeld(hold, ""), error=reason)
                return
        self.errors.append((tape, reason))
        if not self.dry_run:
            self.store.set_mode(tape, "error", reason=f"{self.script}: {reason}", who=self.actor)
            self.release(tape)
        self.record(tape, "error", change=True, reason=reason)

    def hold(self, tape: str) -> Hold:
        """Whether this run still holds the tape, renewing its claim if so."""
        state = self._held.get(tape)
        if state is None:
            return Hold("lost", "this run holds no claim on it")
        return self.store.renew(
            tape, self.name, state, lease_seconds=self.settings.lease_seconds, who=self.owner, reason=self.script
        )

    def _not_held(self, tape: str, e: NotHeld, *, error: str | None = None) -> None:
        """Report a tape this run let go of because it is no longer its own."""
        hold = e.hold
        if hold.status == "taken-over":
            self.release(tape)  # the claim is still this run's: give it back
        else:
            self._held.pop(tape, None)  # gone with the row, or another run's now
        detail: dict[str, Any] = {"reason": hold.detail}
        if e.what:
            detail["not_run"] = e.what
        if self._done:
            detail["already_run"] = "; ".join(self._done)
        if error is not None:
            detail["error"] = error
        self.record(tape, hold.status, **detail)

    def reject(self, tape: str, reason: str) -> None:
        """Report a tape that is not in the table (so cannot be put in error mode) as an error."""
        self.errors.append((tape, reason))
        self.record(tape, "rejected", reason=reason)

    def each(self, rows: Iterable[TapeRow], work: Callable[[TapeRow], None]) -> None:
        """Run ``work`` on every tape; a bad answer about one tape never stops the others.

        Progress shows on a terminal, and goes to the log every so often otherwise.
        """
        todo = list(rows)
        with Progress(f"{self.script}: tapes", len(todo), logger=self.logger) as progress:
            for row in todo:
                progress.update(detail=row.tape)
                self._work_on(row, work)
                progress.update(advance=1)

    def _work_on(self, row: TapeRow, work: Callable[[TapeRow], None]) -> None:
        """One tape of :meth:`each`."""
        self._done = []
        try:
            work(row)
        except Wait as w:
            self.release(row.tape)
            self.record(row.tape, "waiting", reason=str(w))
        except NotHeld as e:
            self._not_held(row.tape, e)
        except AtresysUnknownTapeError:
            # removed between the last call and the table update: CTA did it, the table
            # has no row left to record it in
            self._held.pop(row.tape, None)
            detail: dict[str, Any] = {"already_run": "; ".join(self._done)} if self._done else {}
            self.record(row.tape, "removed", reason="removed from the table meanwhile", **detail)
        except _INFRA:
            raise
        except (TapeError, CtaAdminError) as e:
            self.fail(row.tape, str(e))

    def priority_of(self, row: TapeRow) -> RepackPriority:
        """Return the tape's priority entry; a priority missing from the config is the tape's error."""
        try:
            return self.settings.priority(row.priority)
        except ConfigError as e:
            raise TapeError(str(e)) from None

    # -- CTA -----------------------------------------------------------------------------------

    def tape(self, vid: str) -> AdminRecord:
        """``tape ls --vid V``; a tape CTA does not know is a :class:`TapeError`."""
        try:
            found = self.admin.tapes(vid=vid)
        except CtaAdminUserError as e:
            raise TapeError(f"tape ls: {e}") from None
        if len(found) != 1:
            raise TapeError(f"tape ls --vid {vid} returned {len(found)} tapes")
        return found[0]

    def holds_files(self, vid: str) -> bool:
        """Whether CTA's catalogue still lists a file copy on the tape (``tapefile ls --vid``)."""
        try:
            return len(self.admin.tape_files(vid)) > 0
        except CtaAdminUserError as e:
            # CTA answers a user error when the listing is empty on some versions
            if "no tape file" in str(e).lower():
                return False
            raise

    def repack_of(self, vid: str) -> AdminRecord | None:
        """Return the CTA repack request of the tape, if one existed when the run first asked.

        One ``repack ls`` per run: each tape is looked up once, before this run touches it.
        """
        if self._repacks is None:
            self._repacks = {r.vid: r for r in self.admin.repacks()}
        return self._repacks.get(vid)

    def cta(self, vid: str, what: str, call: Callable[[], str]) -> None:
        """Run a state-changing cta-admin call about ``vid`` (only logged under ``--dry-run``).

        Right before it, the claim is renewed in the transaction that re-checks the tape is still
        this run's: in the table, mode auto, in the claimed state (:class:`NotHeld` otherwise).
        """
        if self.dry_run:
            self.log(f"would run: {what}", always=True)
            return
        hold = self.hold(vid)
        if hold.status != "held":
            raise NotHeld(hold, what)
        self.log(f"running: {what}")
        call()
        self._done.append(what)

    # -- the end of a run ----------------------------------------------------------------------

    def write_metrics(self, code: int) -> None:
        """Add what this run did to tapes and its cta-admin use to the metrics, and write them."""
        reg = self.metrics.registry
        step = {"step": self.name}
        tapes = reg.gauge("step_tapes", "Tapes the last run of a step handled, by what happened.", ("step", "action"))
        for r in self.results:
            if "action" in r:  # the monitor's results are table rows, not actions
                tapes.inc(1, action=str(r["action"]), **step)
        reg.gauge("step_tape_errors", "Tapes the last run of a step put in error mode.", ("step",)).set(
            len(self.errors), **step
        )
        reg.gauge("step_problems", "Problems of the last run of a step (malformed rows …).", ("step",)).set(
            len(self.problems), **step
        )
        reg.gauge("step_cta_admin_calls", "cta-admin calls of the last run of a step.", ("step",)).set(
            self._timed.calls, **step
        )
        reg.gauge("step_cta_admin_duration_seconds", "Time the last run of a step spent in cta-admin.", ("step",)).set(
            self._timed.seconds, **step
        )
        self.metrics.done(code)
        self.metrics.write()

    def finish(self) -> int:
        """Print the results, mail the errors if configured; the exit status."""
        if self.json:
            print(json.dumps(self.results))
        elif self.text is not None:
            print(self.text)
        else:
            for r in self.results:
                extra = " ".join(f"{k}={v}" for k, v in r.items() if k not in ("tape", "action", "would"))
                mark = "would: " if r.get("would") else ""
                print(f"{mark}{r['tape']} {r['action']} {extra}".rstrip())
        self.log(f"cta-admin: {self._timed.calls} call(s), {self._timed.seconds:.3f} s")
        self.log(self.counts(), always=sys.stderr.isatty())
        for p in self.problems:
            print(f"error: {p}", file=sys.stderr)
        if self.errors and self.settings.email_errors and not self.dry_run:
            self._mail()
        return 1 if self.errors or self.problems else 0

    def counts(self) -> str:
        """End-of-step summary: tapes looked at, what happened to them, and why tapes were left alone.

        ``prepare: 3 tape(s): 2 entered, 1 rejected (not full: 1)``; under ``--dry-run`` the
        changes are counted as ``would …``. A step that reports something else (scan, monitor)
        sets :attr:`summary` instead.
        """
        if self.summary is not None:
            return self.summary
        by_action: collections.Counter[str] = collections.Counter()
        reasons: dict[str, collections.Counter[str]] = {}
        for r in self.results:
            action = f"would {r['action']}" if r.get("would") else str(r["action"])
            by_action[action] += 1
            if not r.get("would") and r["action"] not in _CHANGES and "reason" in r:
                reasons.setdefault(action, collections.Counter())[str(r["reason"])] += 1
        parts = []
        for action, n in sorted(by_action.items()):
            why = reasons.get(action)
            detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(why.items()))})" if why else ""
            parts.append(f"{n} {action}{detail}")
        tapes = len({r["tape"] for r in self.results})
        return f"{self.name}: {tapes} tape(s){': ' + ', '.join(parts) if parts else ''}"

    def _mail(self) -> None:
        from ctaops.utils.mail import send_mail  # noqa: PLC0415  (only when there is something to send)

        recipients = [r for r in self.cfg.email.recipients if r != "changeme"]
        if not recipients:
            self.log("email_errors is set but global.email.recipients is empty or changeme: no mail")
            return
        lines = [f"{self.script} on {socket.gethostname()}: {len(self.errors)} tape(s) put in error mode", ""]
        lines += [f"{tape}: {reason}" for tape, reason in self.errors]
        lines += ["", "Inspect with `cta-ops-repack-manager history VID`; hand back with `mode VID auto`."]
        send_mail(
            f"[ATRESYS] {self.script}: {len(self.errors)} error(s)",
            "\n".join(lines) + "\n",
            recipients=recipients,
            config=self.cfg,
        )


def append_lines(path: os.PathLike[str] | str, lines: Iterable[str]) -> None:
    """Append whole lines to a JSON-lines file.

    A run killed mid-write can leave a partial last line: it is ended first, so the new lines are
    never glued to it (readers skip the one bad line).
    """
    with open(path, "ab+") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write("".join(f"{line}\n" for line in lines).encode())


def parser(script: str, description: str) -> argparse.ArgumentParser:
    """Build the parser with the options every step takes (those of every tool, ``--json``, ``--dry-run``)."""
    p = _toolcli.parser(script, description)
    p.add_argument("-j", "--json", action="store_true", help="print the result as JSON")
    p.add_argument("--dry-run", action="store_true", help="change nothing, say what would be done")
    return p


def main(  # noqa: PLR0913, PLR0917  (the one entry point of every step)
    name: str,
    script: str,
    description: str,
    body: Callable[[Run], None],
    extra: Callable[[argparse.ArgumentParser], None] | None = None,
    argv: Sequence[str] | None = None,
    *,
    uses_store: bool = True,
) -> NoReturn:
    """Parse options, run ``body``, print, exit: 0 ok, 1 a tape failed or the run could not go on, 2 usage.

    A step that ``uses_store`` opens the database and checks its schema before anything else.
    """
    if argv is None:  # the program itself: a terminated step stops its cta-admin (not in-process tests)
        forward_termination()
    p = parser(script, description)
    if extra is not None:
        extra(p)
    run: Run | None = None
    try:
        args = p.parse_args(argv)
        run = Run(name, script, args)
        if uses_store:
            _ = run.store
        try:
            body(run)
        finally:
            if run._held:
                run.release_all()
        code = run.finish()
    except SystemExit as e:  # argparse: --help, --version, usage errors; stdout still to be flushed
        code = _toolcli.exit_code(e)
    except BrokenPipeError:  # `| head -1`: the reader has what it wanted
        _toolcli.finish(0)
    except (CtaOpsError, OSError) as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        if run is not None:  # the log file keeps why the run stopped
            run.logger.error("%s", one_line(e))  # noqa: TRY400  (one line, no traceback)
        code = 1
    except KeyboardInterrupt:
        code = 130
    if run is not None and code != 130:
        try:
            run.write_metrics(code)
        except (CtaOpsError, OSError) as e:
            print(f"error: {one_line(e)}", file=sys.stderr)
            run.logger.error("%s", one_line(e))  # noqa: TRY400  (one line, no traceback)
            code = 1
    _toolcli.finish(code)


__all__ = ["CRASH_ENV", "CRASH_EXIT", "NotHeld", "Run", "TapeError", "Wait", "append_lines", "main", "parser"]
