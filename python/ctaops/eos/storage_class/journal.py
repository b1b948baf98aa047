"""What a run did, so a rerun after a crash finishes the job without doing anything twice.

One journal per (dump, instance) under ``state_dir``: lines ``<archive id> eos|cta <class>``
appended after each change is made (and flushed), fsync'ed at the end of each split. A torn
last line (a crash while writing) is ignored. The journal is a shortcut, not the truth: a file
the journal does not show as finished is checked against EOS and CTA again before anything
is changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TextIO

from ctaops.utils.config import Config
from ctaops.utils.logging import tool_log_dir

from .. import SECTION

TOOL = "cta-ops-change-storage-class"


def state_dir(config: Config) -> Path:
    """``state_dir`` of the tool's section, else ``<log_dir>/state``."""
    configured = config.get_path(f"tools.{SECTION}.{TOOL}.state_dir")
    return Path(configured) if configured else Path(tool_log_dir(config, SECTION, "eos")) / "state"


def journal_path(config: Config, dump: str, instance: str) -> Path:
    """Return the journal of ``dump`` (by its absolute path) on ``instance``."""
    key = hashlib.sha256(f"{os.path.abspath(dump)}\0{instance}".encode()).hexdigest()[:16]
    return state_dir(config) / f"change-storage-class-{instance}-{key}.journal"


class Journal:
    """The journal file: what is recorded, and appending to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[tuple[int, str], str] = {}
        """(archive id, ``eos``/``cta``) → the class it was changed to."""
        if path.exists():
            with path.open(encoding="utf-8") as f:
                for line in f:
                    words = line.split()
                    if len(words) == 3 and words[0].isdigit() and words[1] in ("eos", "cta") and line.endswith("\n"):
                        self.done[(int(words[0]), words[1])] = words[2]
        self._out: TextIO | None = None

    def finished(self, archive_id: int, target: str) -> bool:
        """Whether both EOS and CTA were changed to ``target`` by an earlier run."""
        return self.done.get((archive_id, "eos")) == target and self.done.get((archive_id, "cta")) == target

    def finished_classes(self) -> dict[int, str]:
        """Map archive IDs to the class an earlier run moved them to on both sides (:meth:`finished`)."""
        return {
            archive_id: target
            for (archive_id, side), target in self.done.items()
            if side == "eos" and self.done.get((archive_id, "cta")) == target
        }

    def record(self, archive_id: int, side: str, target: str) -> None:
        """Append that ``side`` (``eos``/``cta``) of the file is now in ``target``."""
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("a", encoding="utf-8")
        self._out.write(f"{archive_id} {side} {target}\n")
        self._out.flush()
        self.done[(archive_id, side)] = target

    def sync(self) -> None:
        """Make what was appended durable."""
        if self._out is not None:
            os.fsync(self._out.fileno())

    def close(self) -> None:
        """Sync and close."""
        if self._out is not None:
            self.sync()
            self._out.close()
            self._out = None
