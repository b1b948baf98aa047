"""The dump the tool works from, read and held in Rust (:class:`ctaops._core.EosDump`).

Files become Python objects only a split at a time: a dry run over millions of lines is planned
in Rust and makes none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from ctaops import _core
from ctaops.errors import ParseError


class DumpFile(NamedTuple):
    """One file of the dump: where it is in EOS and CTA, and the class it should get."""

    line: int
    fid: int
    path: str
    archive_id: int
    target: str
    instance: str

    @property
    def ref(self) -> str:
        """How EOS calls name the file."""
        return f"fxid:{self.fid:x}"


class PlannedSplit(NamedTuple):
    """One split a run would make: the dump lines it spans and its files per target class."""

    first_line: int
    last_line: int
    per_class: list[tuple[str, int]]


class Plan(NamedTuple):
    """What a run would do once the files an earlier run finished are left out."""

    todo: int
    per_class: list[tuple[str, int]]
    splits: list[PlannedSplit]


class Dump:
    """A dump read whole; the first bad line refused it."""

    def __init__(self, raw: _core.EosDump) -> None:
        self._raw = raw

    def __len__(self) -> int:
        return len(self._raw)

    def targets(self) -> list[str]:
        """Return the target storage classes, sorted, each once."""
        return self._raw.targets()

    def files(self, start: int = 0, stop: int | None = None) -> list[DumpFile]:
        """Return the files of ``start <= index < stop`` (all by default)."""
        return list(map(DumpFile._make, self._raw.entries(start, len(self) if stop is None else stop)))

    def splits(self, size: int) -> Iterator[list[DumpFile]]:
        """Yield the files in consecutive groups of ``size``, each made when it is reached."""
        for start in range(0, len(self), size):
            yield self.files(start, start + size)

    def plan(self, finished: Mapping[int, str], size: int) -> Plan:
        """Plan a run in splits of ``size``; ``finished`` maps archive IDs to the class an earlier run gave them."""
        todo, per_class, splits = self._raw.plan(dict(finished), size)
        return Plan(todo, per_class, [PlannedSplit(*s) for s in splits])


def read_dump(path: str, instance: str) -> Dump:
    """Read the dump at ``path``; a line naming another instance is refused like a malformed one."""
    raw = _core.EosDump(path)
    foreign = raw.foreign_instance(instance)
    if foreign is not None:
        line, other = foreign
        raise ParseError(f"dump: line {line}: instance {other} is not the instance given with -i ({instance})")
    return Dump(raw)
