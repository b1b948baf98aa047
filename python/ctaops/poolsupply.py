"""``cta-ops-pool-supply``: keep every user tape pool stocked with a few partial tapes.

A pool with supply pools (``cta-admin tapepool ls``: newer CTA's ``supplySource`` list, older
CTA's ``supply`` string split at ``tools.cta-ops-pool-supply.separator``) should always have
``numPartialTapes`` *eligible partial tapes*: state ``ACTIVE``, not full, not ``fromCastor``,
in a logical library that is not disabled. A tape holding some data still counts, so no new
tape comes in before the pool's open tapes are used. While a pool has fewer, a fresh tape is
moved in from a supply pool with ``cta-admin tape ch --vid V --tapepool P``.

Which supply tape (upstream leaves this open):

* fresh: empty (``lastFseq`` 0, ``occupancy`` 0) and itself eligible (ACTIVE, not full, not
  from CASTOR, library enabled);
* supply pools are tried in the order CTA lists them (the written order of an old ``supply``
  string; newer CTA keeps them in a set and lists them alphabetically), the next one only when
  a pool has no fresh tape left;
* within a supply pool, by rank: the media type of the destination pool's tapes first, then a
  logical library the destination pool already uses, then the library where the destination has
  the fewest eligible tapes (spreads the write streams), then the oldest label time (unlabelled
  tapes last), then the VID.

Misconfigurations are reported once each and their relationship is skipped, never looped over:
a supply pool that does not exist, a pool supplying itself, a supply cycle (``A→B→A``, longer
ones too; every relationship inside the cycle is skipped). Pools are refilled consumers first
(a pool is handled after every pool it supplies), and a tape moved once in a run is never moved
again in that run.

Several hosts may run the tool at once: right before each move the destination pool and the
chosen tape are read again (``tape ls --tapepool``, ``tape ls --vid``); the tape is moved only
while it is still fresh in its supply pool and the destination still short, otherwise the race
is reported ("already moved by another run") and the next tape is tried. On one host a lock
file (``<log_dir>/cta-ops-pool-supply.lock``, non-blocking ``flock``) keeps runs from
overlapping: a second run says which run holds it and exits 0.

Exit status: 0 every pool at target (or nothing to do, or another run holds the lock);
1 a pool stays below target for want of a supply tape, a misconfiguration, or a failed move;
2 a usage error.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import fcntl
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from graphlib import TopologicalSorter
from typing import Any, NoReturn, Protocol, TextIO

from ctaops import _toolcli
from ctaops.errors import CtaOpsError

PROG = "cta-ops-pool-supply"
LOCK_NAME = f"{PROG}.lock"
DEFAULT_SEPARATOR = ","
TABLE_HEADERS = ("pool", "eligible_before", "target", "moved", "eligible_after", "status", "reason")
"""Summary columns; the ``--json`` keys of ``pools``."""

_NEVER = float("inf")


class Admin(Protocol):
    """What the tool needs of :class:`ctaops.admin.CtaAdmin` (tests pass a fake)."""

    def tapes(self, **filters: Any) -> Iterable[Any]:
        """``tape ls``."""

    def tape_pools(self) -> Iterable[Any]:
        """``tapepool ls``."""

    def logical_libraries(self) -> Iterable[Any]:
        """``logicallibrary ls``."""

    def tape_ch(self, vid: str, *, dry_run: bool = False, **changes: Any) -> str:
        """``tape ch``."""


def _dicts(records: Iterable[Any]) -> list[dict[str, Any]]:
    to_dicts = getattr(records, "to_dicts", None)
    if to_dicts is not None:  # AdminRecords: one conversion in Rust instead of one per record
        return list(to_dicts())
    return [r if isinstance(r, dict) else r.to_dict() for r in records]


def _int(value: Any) -> int:
    """CTA's numbers: ints from ctaops' parser, strings in raw ``--json``."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class Tape:
    """The fields of a ``tape ls`` record the supply decision uses."""

    vid: str
    pool: str
    state: str
    full: bool
    from_castor: bool
    library: str
    media: str
    occupancy: int
    last_fseq: int
    label_time: float
    """``labelLog.time``; infinity for a tape never labelled (sorts last)."""

    @classmethod
    def from_record(cls, r: Mapping[str, Any]) -> Tape:
        """Build from a ``tape ls --json`` record (CTA's key names)."""
        label = r.get("labelLog") or {}
        label_time = _int(label.get("time")) if isinstance(label, Mapping) else 0
        return cls(
            vid=str(r["vid"]),
            pool=str(r.get("tapepool", "")),
            state=str(r.get("state", "")),
            full=bool(r.get("full")),
            from_castor=bool(r.get("fromCastor")),
            library=str(r.get("logicalLibrary", "")),
            media=str(r.get("mediaType", "")),
            occupancy=_int(r.get("occupancy")),
            last_fseq=_int(r.get("lastFseq")),
            label_time=float(label_time) if label_time else _NEVER,
        )

    def label_text(self) -> str:
        """Return the label time for people (UTC)."""
        if self.label_time == _NEVER:
            return "never labelled"
        return "labelled " + time.strftime("%Y-%m-%d %H:%M", time.gmtime(self.label_time))


@dataclass(frozen=True)
class Pool:
    """A tape pool: its target of partial tapes and the pools it takes fresh tapes from."""

    name: str
    target: int
    sources: tuple[str, ...]


def supply_sources(record: Mapping[str, Any], separator: str = DEFAULT_SEPARATOR) -> tuple[str, ...]:
    """Return the pools supplying ``record``'s pool, in CTA's order, each once.

    Newer CTA lists them in ``supplySource``; older CTA printed one ``supply`` string, split here
    at ``separator``. ctaops' reader already splits a legacy string at commas into
    ``supplySource``, so each entry is split at the separator again (a site separator other than
    a comma); a pool name never contains the separator.
    """
    listed = record.get("supplySource")
    if listed is None:
        legacy = record.get("supply")
        listed = [legacy] if isinstance(legacy, str) else []
    out: list[str] = []
    for entry in listed:
        for name in str(entry).split(separator or DEFAULT_SEPARATOR):
            name = name.strip()  # noqa: PLW2901  (the cleaned-up name replaces the raw one)
            if name and name not in out:
                out.append(name)
    return tuple(out)


@dataclass(frozen=True)
class Eligibility:
    """Which tapes count: the disabled logical libraries are the only outside input."""

    disabled_libraries: frozenset[str]

    def eligible(self, t: Tape) -> bool:
        """Tell whether ``t`` is an eligible partial tape: CTA may write it now."""
        return t.state == "ACTIVE" and not t.full and not t.from_castor and t.library not in self.disabled_libraries

    def fresh(self, t: Tape) -> bool:
        """Tell whether a supply pool may give ``t`` away: eligible and empty."""
        return self.eligible(t) and t.occupancy == 0 and t.last_fseq == 0


# -- the supply graph ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A misconfigured supply relationship: the pools it concerns and the line reporting it."""

    pools: frozenset[str]
    message: str


@dataclass
class Graph:
    """Supply relationships that can be used, and what is wrong with the others."""

    sources: dict[str, tuple[str, ...]]
    """Destination → the supply pools it may take from (bad relationships removed)."""
    problems: list[Problem]
    """One per misconfiguration, each reported once."""
    troubled: set[str]
    """Pools that lost a supply relationship to a misconfiguration."""
    order: list[str]
    """Consumers in refill order: every pool after the pools it supplies."""


def _cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Strongly connected components with more than one pool (Tarjan), each as a sorted list.

    ``edges`` maps a destination to its sources; a component is a set of pools supplying one
    another round in a circle.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(root: str) -> None:
        # Iterative DFS: a long chain of pools must not hit Python's recursion limit.
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, succ = work[-1]
            nxt = next(succ, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))

    for pool in sorted(edges):
        if pool not in index:
            visit(pool)
    return found


def _cycle_path(comp: Sequence[str], edges: Mapping[str, Sequence[str]]) -> str:
    """One cycle through a component, written supplier → consumer (``A → B → A``)."""
    members = set(comp)
    start = comp[0]
    # Follow "is supplied by" inside the component until a pool repeats, then print it reversed.
    path = [start]
    seen = {start: 0}
    node = start
    while True:
        node = next(s for s in edges[node] if s in members)
        if node in seen:
            loop = [*path[seen[node] :], node]
            return " → ".join(reversed(loop))
        seen[node] = len(path)
        path.append(node)


def build_graph(pools: Mapping[str, Pool]) -> Graph:
    """Check every supply relationship; keep the usable ones and a refill order."""
    problems: list[Problem] = []
    troubled: set[str] = set()
    edges: dict[str, list[str]] = {}
    for name in sorted(pools):
        keep: list[str] = []
        for src in pools[name].sources:
            if src == name:
                problems.append(Problem(frozenset([name]), f"pool {name} lists itself as a supply pool: ignored"))
                troubled.add(name)
            elif src not in pools:
                problems.append(Problem(frozenset([name]), f"pool {name}: supply pool {src} does not exist: ignored"))
                troubled.add(name)
            else:
                keep.append(src)
        if keep:
            edges[name] = keep
    for comp in _cycles(edges):
        members = set(comp)
        path = _cycle_path(comp, edges)
        text = f"supply cycle {path}: the supply relationships among {', '.join(comp)} are ignored"
        problems.append(Problem(frozenset(members), text))
        troubled |= members
        for dest in comp:
            edges[dest] = [s for s in edges.get(dest, []) if s not in members]
    sources = {d: tuple(s) for d, s in edges.items() if s}
    # graphlib's "predecessors" of a supplier are its consumers, so consumers come out first.
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for dest in sorted(pools):
        if pools[dest].sources:
            sorter.add(dest)
    for dest, srcs in sorted(sources.items()):
        for src in srcs:
            sorter.add(src, dest)
    consumers = {p for p in pools if pools[p].sources}
    order = [p for p in sorter.static_order() if p in consumers]
    return Graph(sources=sources, problems=problems, troubled=troubled, order=order)


# -- the plan -----------------------------------------------------------------------------------


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
        tapes = [Tape.from_record(r) for r in _dicts(self.admin.tapes(tapepool=dest))]
        listed = {t.vid for t in tapes}
        for gone in [t for t in self.fleet.in_pool(dest) if t.vid not in listed]:
            self.fleet.drop(gone.vid)  # left the pool since we listed it; re-read by VID if ever a candidate
        self.fleet.update(tapes)
        if self.fleet.eligible_count(dest) >= target:
            raise TargetReached

    def _reread_tape(self, tape: Tape, dest: str) -> None:
        found = [Tape.from_record(r) for r in _dicts(self.admin.tapes(vid=tape.vid))]
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


# -- the run ------------------------------------------------------------------------------------


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
    for r in _dicts(admin.tape_pools()):
        name = str(r["name"])
        pools[name] = Pool(name, _int(r.get("numPartialTapes")), supply_sources(r, separator))
    return pools


def load_fleet(admin: Admin) -> Fleet:
    """Every tape, and which logical libraries are disabled."""
    disabled = frozenset(str(r["name"]) for r in _dicts(admin.logical_libraries()) if r.get("isDisabled"))
    return Fleet((Tape.from_record(r) for r in _dicts(admin.tapes())), Eligibility(disabled))


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


# -- output -------------------------------------------------------------------------------------


def prometheus(outcome: Outcome, now: float) -> str:
    """Prometheus textfile metrics of a run."""
    label = _toolcli.prom_label
    moved = sum(1 for m in outcome.moves if m.result == "moved")
    below = sum(1 for p in outcome.pools if p.eligible_after < p.target)
    lines = [
        "# HELP ctaops_pool_supply_eligible_partial_tapes Eligible partial tapes of a pool after the run.",
        "# TYPE ctaops_pool_supply_eligible_partial_tapes gauge",
        *(
            f'ctaops_pool_supply_eligible_partial_tapes{{pool="{label(p.pool)}"}} {p.eligible_after}'
            for p in outcome.pools
        ),
        "# HELP ctaops_pool_supply_target_partial_tapes Partial tapes a pool should have (numPartialTapes).",
        "# TYPE ctaops_pool_supply_target_partial_tapes gauge",
        *(f'ctaops_pool_supply_target_partial_tapes{{pool="{label(p.pool)}"}} {p.target}' for p in outcome.pools),
        "# HELP ctaops_pool_supply_fresh_tapes Fresh tapes left in a supply pool.",
        "# TYPE ctaops_pool_supply_fresh_tapes gauge",
        *(f'ctaops_pool_supply_fresh_tapes{{pool="{label(s)}"}} {n}' for s, n in outcome.fresh.items()),
        "# HELP ctaops_pool_supply_pools_below_target Pools left below their target.",
        "# TYPE ctaops_pool_supply_pools_below_target gauge",
        f"ctaops_pool_supply_pools_below_target {below}",
        "# HELP ctaops_pool_supply_misconfigurations Supply misconfigurations found (missing pool, self, cycle).",
        "# TYPE ctaops_pool_supply_misconfigurations gauge",
        f"ctaops_pool_supply_misconfigurations {len(outcome.problems)}",
        "# HELP ctaops_pool_supply_tapes_moved Tapes moved by the last run.",
        "# TYPE ctaops_pool_supply_tapes_moved gauge",
        f"ctaops_pool_supply_tapes_moved {moved}",
        "# HELP ctaops_pool_supply_last_run_timestamp_seconds When the last run ended.",
        "# TYPE ctaops_pool_supply_last_run_timestamp_seconds gauge",
        f"ctaops_pool_supply_last_run_timestamp_seconds {now:.3f}",
    ]
    return "\n".join(lines) + "\n"


def print_report(outcome: Outcome, *, as_json: bool, config: Any, out: TextIO) -> None:
    """Print the moves (``would:`` in a dry run) and the summary table, or the JSON document."""
    if as_json:
        out.write(json.dumps(outcome.to_json()) + "\n")
        return
    from ctaops.utils.tables import print_table  # noqa: PLC0415  (tabulate only when printing)

    for m in outcome.moves:
        if m.result == "would":
            out.write(f"would: move {m.vid} from {m.source} to {m.dest} ({m.why})\n")
        elif m.result == "moved":
            out.write(f"moved {m.vid} from {m.source} to {m.dest} ({m.why})\n")
        else:
            out.write(f"{m.result}: {m.vid} from {m.source} to {m.dest}: {m.detail}\n")
    if outcome.pools:
        print_table([p.to_json() for p in outcome.pools], list(TABLE_HEADERS), config=config, file=out)


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
        "--metrics-file", metavar="FILE", help="write Prometheus textfile metrics here (default: the metrics_file key)"
    )
    return p


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool and return its exit status (errors raise; :func:`main` turns them into one line)."""
    from ctaops.admin import CtaAdmin  # noqa: PLC0415  (keeps --help fast)
    from ctaops.utils.config import load_config  # noqa: PLC0415
    from ctaops.utils.files import make_parent, write_atomic  # noqa: PLC0415

    args = _parser().parse_args(argv)
    config = load_config(args.config_file, PROG)
    verbose = bool(args.verbose or config.tool_value("debug"))
    log = _toolcli.setup_logging(PROG, verbose, config=config, log_json=args.log_json)
    log.info("started: %s", " ".join([PROG, *(sys.argv[1:] if argv is None else argv)]))
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
            return 0
        outcome = supply(admin, separator=separator, dry_run=args.dry_run, only=args.pool, log=log)
    print_report(outcome, as_json=args.json, config=config, out=sys.stdout)
    metrics_file = args.metrics_file or str(config.tool_value("metrics_file") or "")
    if metrics_file:
        if args.dry_run:
            print(f"{PROG}: would write {metrics_file}", file=sys.stderr)
        else:
            make_parent(metrics_file, [config.logging.log_dir])
            write_atomic(metrics_file, prometheus(outcome, time.time()))
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


__all__ = [
    "Eligibility",
    "Fleet",
    "Graph",
    "Move",
    "Mover",
    "Outcome",
    "Pool",
    "PoolReport",
    "Problem",
    "Raced",
    "Tape",
    "build_graph",
    "choose",
    "main",
    "prometheus",
    "refill",
    "run",
    "supply",
    "supply_sources",
]
