"""The refill: which supply tape goes where, the moves (re-checked against races), one run over every pool."""

from __future__ import annotations

import bisect
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ctaops import _toolcli
from ctaops.errors import CtaOpsError
from ctaops.poolsupply.graph import build_graph
from ctaops.poolsupply.model import (
    PROG,
    TABLE_HEADERS,
    Admin,
    Eligibility,
    Pool,
    Tape,
    supply_sources,
    to_dicts,
)
from ctaops.utils.dicts import counter


@dataclass
class Move:
    """One tape moved (or to be moved) from a supply pool into a user pool."""

    vid: str
    source: str
    dest: str
    why: str
    result: str = "moved"
    """``moved``, ``would`` (dry run), ``raced`` (another run got there first), ``failed``."""
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the ``--json`` record."""
        out: dict[str, Any] = {"vid": self.vid, "from": self.source, "to": self.dest, "why": self.why}
        out["result"] = self.result
        if self.result == "would":
            out["would"] = True
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class PoolReport:
    """One row of the summary table."""

    pool: str
    eligible_before: int
    target: int
    moved: int = 0
    eligible_after: int = 0
    status: str = "ok"
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the ``--json`` record (the table's columns)."""
        return {k: getattr(self, k) for k in TABLE_HEADERS}


class Raced(Exception):
    """The candidate changed under us: another run (or an operator) got there first."""


class TargetReached(Exception):
    """The destination pool reached its target without us (another run moved tapes in)."""


@dataclass
class _PoolIndex:
    """One pool's tapes and the counts a refill asks for, kept up to date move by move."""

    tapes: dict[str, Tape] = field(default_factory=dict)
    media: Counter[str] = field(default_factory=Counter)
    """Tapes per media type (any state): the media the pool is written on."""
    libraries: Counter[str] = field(default_factory=Counter)
    """Tapes per logical library (any state)."""
    eligible: Counter[str] = field(default_factory=Counter)
    """Eligible partial tapes per logical library."""
    fresh: dict[tuple[str, str], list[tuple[float, str]]] = field(default_factory=dict)
    """Fresh tapes by (media, library), each group sorted by (label time, VID)."""


def _less(counter: Counter[str], key: str) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]  # an absent key means "the pool has none" for the preferences


class Fleet:
    """The tapes as this run knows them, updated by its own moves and by what it re-reads.

    Indexed by pool, with the counts and the fresh tapes grouped: a move costs a look at a few
    groups, not a scan of the instance (a cern-like instance plans 131 moves over 5,000 tapes).
    """

    def __init__(self, tapes: Iterable[Tape], rules: Eligibility) -> None:
        self.rules = rules
        self.moved: set[str] = set()
        """VIDs this run moved: never moved again in the same run (no back and forth)."""
        self._pool_of: dict[str, str] = {}
        self._pools: dict[str, _PoolIndex] = {}
        self.update(tapes)

    def _index(self, pool: str) -> _PoolIndex:
        return self._pools.get(pool) or _PoolIndex()

    def in_pool(self, pool: str) -> list[Tape]:
        """Return the tapes of ``pool``."""
        return list(self._index(pool).tapes.values())

    def eligible_count(self, pool: str, library: str | None = None) -> int:
        """Return the number of eligible partial tapes of ``pool`` (in ``library`` if given)."""
        per_library = self._index(pool).eligible
        return sum(per_library.values()) if library is None else per_library.get(library, 0)

    def fresh_count(self, pool: str) -> int:
        """Return the number of tapes ``pool`` could give away now."""
        return sum(len(group) for group in self._index(pool).fresh.values())

    def drop(self, vid: str) -> None:
        """Forget a tape (it left the pool we looked at)."""
        pool = self._pool_of.pop(vid, None)
        if pool is None:
            return
        idx = self._pools[pool]
        t = idx.tapes.pop(vid)
        _less(idx.media, t.media)
        _less(idx.libraries, t.library)
        if self.rules.eligible(t):
            _less(idx.eligible, t.library)
        group = idx.fresh.get((t.media, t.library))
        if group is not None:
            at = bisect.bisect_left(group, (t.label_time, t.vid))
            if at < len(group) and group[at][1] == vid:
                del group[at]

    def update(self, tapes: Iterable[Tape]) -> None:
        """Take in tapes as listed (a re-read, or this run's own move)."""
        for t in tapes:
            self.drop(t.vid)
            self._pool_of[t.vid] = t.pool
            idx = self._pools.setdefault(t.pool, _PoolIndex())
            idx.tapes[t.vid] = t
            idx.media[t.media] += 1
            idx.libraries[t.library] += 1
            if self.rules.eligible(t):
                idx.eligible[t.library] += 1
            if self.rules.fresh(t) and t.vid not in self.moved:
                bisect.insort(idx.fresh.setdefault((t.media, t.library), []), (t.label_time, t.vid))

    def best_fresh(self, source: str, dest: str) -> Tape | None:
        """Return the fresh tape of ``source`` that ``dest`` should get next (module docstring), if any."""
        into = self._index(dest)
        key = rank_key(into.media, into.libraries, into.eligible)
        idx = self._index(source)
        heads = [idx.tapes[group[0][1]] for group in idx.fresh.values() if group]
        return min(heads, key=key) if heads else None


def rank_key(medias: Collection[str], libraries: Collection[str], per_library: Mapping[str, int]) -> Any:
    """Return the sort key of candidates for a destination pool (its media, libraries, eligible tapes per library).

    Media type and library of the destination's tapes first (no preference for an empty pool),
    then the library with the fewest eligible tapes, the oldest label, the VID.
    """

    def key(t: Tape) -> tuple[int, int, int, float, str]:
        return (
            0 if not medias or t.media in medias else 1,
            0 if not libraries or t.library in libraries else 1,
            per_library.get(t.library, 0),
            t.label_time,
            t.vid,
        )

    return key


def choose(fleet: Fleet, dest: str, sources: Sequence[str]) -> tuple[Tape, str] | None:
    """Pick the supply tape to move into ``dest`` next, with a few words on why; None if there is none."""
    for src in sources:
        best = fleet.best_fresh(src, dest)
        if best is not None:
            same_lib = fleet.eligible_count(dest, best.library)
            why = (
                f"{best.media}, {best.library}, {best.label_text()}; {dest} has {same_lib} eligible "
                f"tape(s) in {best.library}"
            )
            return best, why
    return None


class Mover:
    """Carries out (or, dry, only records) one move, re-checking CTA right before it."""

    def __init__(self, admin: Admin, fleet: Fleet, *, dry_run: bool, log: Any) -> None:
        self.admin = admin
        self.fleet = fleet
        self.dry_run = dry_run
        self.log = log

    def _reread_pool(self, dest: str, target: int) -> None:
        tapes = [Tape.from_record(r) for r in to_dicts(self.admin.tapes(tapepool=dest))]
        listed = {t.vid for t in tapes}
        for gone in [t for t in self.fleet.in_pool(dest) if t.vid not in listed]:
            self.fleet.drop(gone.vid)  # left the pool since we listed it; re-read by VID if ever a candidate
        self.fleet.update(tapes)
        if self.fleet.eligible_count(dest) >= target:
            raise TargetReached

    def _reread_tape(self, tape: Tape, dest: str) -> None:
        found = [Tape.from_record(r) for r in to_dicts(self.admin.tapes(vid=tape.vid))]
        now = found[0] if found else replace(tape, pool="", state="GONE")
        self.fleet.update([now])
        if now.pool == dest:
            raise Raced("already moved by another run")
        if now.pool != tape.pool:
            raise Raced(f"now in pool {now.pool or '(deleted)'}")
        if not self.fleet.rules.fresh(now):
            raise Raced(f"no longer fresh (state {now.state}, full {str(now.full).lower()}, last fSeq {now.last_fseq})")

    def move(self, tape: Tape, dest: str, target: int) -> None:
        """Move ``tape`` into ``dest`` (raises :class:`Raced` / :class:`TargetReached`)."""
        if self.dry_run:
            argv = self.admin.tape_ch(tape.vid, dry_run=True, tapepool=dest)
            print(f"{PROG}: would run: {argv}", file=sys.stderr)
        else:
            self._reread_pool(dest, target)
            self._reread_tape(tape, dest)
            self.admin.tape_ch(tape.vid, tapepool=dest)
        self.fleet.moved.add(tape.vid)
        self.fleet.update([replace(tape, pool=dest)])


def refill(pool: Pool, sources: Sequence[str], fleet: Fleet, mover: Mover, moves: list[Move]) -> PoolReport:
    """Bring one pool up to its target; its summary row."""
    log = mover.log
    report = PoolReport(pool.name, fleet.eligible_count(pool.name), pool.target)
    tried: set[str] = set()
    while fleet.eligible_count(pool.name) < pool.target:
        picked = choose(fleet, pool.name, sources)
        if picked is None or picked[0].vid in tried:
            report.status = "short"
            report.reason = f"no fresh tape in {', '.join(sources)}" if sources else "no usable supply pool"
            log.error(
                "pool %s: %d of %d eligible tapes and %s",
                pool.name,
                fleet.eligible_count(pool.name),
                pool.target,
                report.reason,
            )
            break
        tape, why = picked
        tried.add(tape.vid)
        move = Move(tape.vid, tape.pool, pool.name, why, "would" if mover.dry_run else "moved")
        try:
            mover.move(tape, pool.name, pool.target)
        except TargetReached:
            report.reason = "target reached by another run"
            log.warning("pool %s: %s", pool.name, report.reason)
            break
        except Raced as e:
            move.result, move.detail = "raced", str(e)
            log.warning("%s: not moved to %s: %s", tape.vid, pool.name, e)
            moves.append(move)
            continue
        except CtaOpsError as e:
            move.result, move.detail = "failed", str(e)
            moves.append(move)
            report.status, report.reason = "failed", f"moving {tape.vid}: {e}"
            log.error("%s: moving from %s to %s failed: %s", tape.vid, tape.pool, pool.name, e)  # noqa: TRY400  (one line, no traceback)
            break
        moves.append(move)
        report.moved += 1
        log.info(
            "%s%s from %s to %s (%s)", "would move " if mover.dry_run else "moved ", tape.vid, tape.pool, pool.name, why
        )
    report.eligible_after = fleet.eligible_count(pool.name)
    if report.status == "ok" and report.moved:
        report.status = "would refill" if mover.dry_run else "refilled"
    return report


@dataclass
class Outcome:
    """Everything a run found and did."""

    pools: list[PoolReport]
    moves: list[Move]
    problems: list[str]
    fresh: dict[str, int]
    """Supply pool → fresh tapes left."""
    dry_run: bool

    @property
    def failed(self) -> bool:
        """Exit 1: a misconfiguration, a pool left short, a move that failed."""
        return bool(self.problems) or any(p.status in ("short", "failed") for p in self.pools)

    def to_json(self) -> dict[str, Any]:
        """Return the ``--json`` document."""
        return {
            "dry_run": self.dry_run,
            "pools": [p.to_json() for p in self.pools],
            "moves": [m.to_json() for m in self.moves],
            "problems": self.problems,
            "supply_fresh_tapes": self.fresh,
        }


def load_pools(admin: Admin, separator: str) -> dict[str, Pool]:
    """Every tape pool with its target and supply pools."""
    pools: dict[str, Pool] = {}
    for r in to_dicts(admin.tape_pools()):
        name = str(r["name"])
        pools[name] = Pool(name, counter(r.get("numPartialTapes")), supply_sources(r, separator))
    return pools


def load_fleet(admin: Admin) -> Fleet:
    """Every tape, and which logical libraries are disabled."""
    disabled = frozenset(str(r["name"]) for r in to_dicts(admin.logical_libraries()) if r.get("isDisabled"))
    return Fleet((Tape.from_record(r) for r in to_dicts(admin.tapes())), Eligibility(disabled))


def supply(admin: Admin, *, separator: str, dry_run: bool, only: Sequence[str] | None, log: Any) -> Outcome:
    """One run of the algorithm (see the module docstring)."""
    pools = load_pools(admin, separator)
    selected = set(only) if only else None
    unknown = sorted((selected or set()) - set(pools))
    if unknown:
        raise _toolcli.ToolExit(1, f"no such tape pool: {', '.join(unknown)}")
    graph = build_graph(pools)
    problems = [p.message for p in graph.problems if selected is None or p.pools & selected]
    for line in problems:
        log.error("%s", line)
    fleet = load_fleet(admin)
    mover = Mover(admin, fleet, dry_run=dry_run, log=log)
    reports: list[PoolReport] = []
    moves: list[Move] = []
    for name in graph.order:
        if selected is not None and name not in selected:
            continue
        report = refill(pools[name], graph.sources.get(name, ()), fleet, mover, moves)
        if report.status == "short" and name in graph.troubled:
            report.status = "misconfigured"
            report.reason += "; misconfigured supply relationships ignored"
        reports.append(report)
    if selected is not None:
        for name in sorted(selected - set(graph.order)):
            have = fleet.eligible_count(name)
            reports.append(PoolReport(name, have, pools[name].target, 0, have, "ok", "no supply pools"))
    used = {s for d in graph.order for s in graph.sources.get(d, ())}
    fresh = {s: fleet.fresh_count(s) for s in sorted(used)}
    return Outcome(reports, moves, problems, fresh, dry_run)
