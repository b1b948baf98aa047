"""The dump the tool works from (read in Rust: :func:`ctaops._core.read_eos_dump`)."""

from __future__ import annotations

from typing import NamedTuple

from ctaops import _core
from ctaops.errors import ParseError


class DumpFile(NamedTuple):
    """One file of the dump: where it is in EOS and CTA, and the class it should get.

    A tuple (not a dataclass): a million of them are made straight from the reader's tuples.
    """

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


def read_dump(path: str, instance: str) -> list[DumpFile]:
    """Read the dump at ``path``; a line naming another instance is refused like a malformed one."""
    files = list(map(DumpFile._make, _core.read_eos_dump(path)))
    for f in files:
        if f.instance and f.instance != instance:
            raise ParseError(
                f"dump: line {f.line}: instance {f.instance} is not the instance given with -i ({instance})"
            )
    return files
