"""The supply relationships: those that can be used, the misconfigurations, the refill order.

Misconfigurations: a missing supply pool, a pool supplying itself, a supply cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter

from ctaops.poolsupply.model import Pool


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
