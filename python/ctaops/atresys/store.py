"""ATRESYS state store: the ``REPACK_STATUS`` table with its history, on SQLite or PostgreSQL.

The same store the ``cta-ops-repack-manager`` command and the scheduled repack steps use
(``ctaops-store`` in Rust). Every change is written in one transaction with its history row;
transitions are idempotent (:meth:`Store.advance` returns ``False`` when the tape already is
there) and :meth:`Store.claim` never hands the same tape to two concurrent runs.
"""

from __future__ import annotations

import builtins
import getpass
import json
import os
from dataclasses import dataclass, fields
from typing import Any, Literal

from ctaops import _core

Mode = Literal["auto", "manual", "error"]
State = Literal["entered", "started", "repacked", "quarantined", "reclaimed", "finished"]

STATES: tuple[State, ...] = ("entered", "started", "repacked", "quarantined", "reclaimed", "finished")
MODES: tuple[Mode, ...] = ("auto", "manual", "error")


@dataclass(frozen=True)
class TapeRow:
    """One row of the repack table; timestamps are ``YYYY-MM-DD HH:MM:SS`` (UTC)."""

    tape: str
    entered: str
    started: str | None
    repacked: str | None
    quarantined: str | None
    reclaimed: str | None
    finished: str | None
    files: int
    bytes: int
    usage: int
    last_write_date: str | None
    mode: Mode
    priority: int
    mediatype: str
    tapepool: str
    responsible: str

    @property
    def state(self) -> State:
        """The last timestamp set, in life order."""
        for s in reversed(STATES):
            if getattr(self, s) is not None:
                return s
        return "entered"


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a tape: when, who, what, why."""

    id: int
    tape: str
    at: str
    actor: str
    action: str
    from_value: str | None
    to_value: str | None
    reason: str


def _row(d: dict[str, Any]) -> TapeRow:
    names = {f.name for f in fields(TapeRow)}
    return TapeRow(**{k: v for k, v in d.items() if k in names})


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    """An open connection to the ATRESYS database.

    With no arguments the database comes from the ops config file
    (``tools.cta-ops-repack-automation.database``); ``sqlite_path`` or ``pg_host`` (with the other
    ``pg_*`` arguments) open a database directly.
    """

    def __init__(  # noqa: PLR0913 - keyword-only connection settings
        self,
        config_file: str | os.PathLike[str] | None = None,
        *,
        sqlite_path: str | os.PathLike[str] | None = None,
        pg_host: str | None = None,
        pg_port: int = 5432,
        pg_user: str | None = None,
        pg_password: str | None = None,
        pg_dbname: str | None = None,
        table: str | None = None,
    ) -> None:
        self._s = _core.AtresysStore(
            config_file,
            sqlite_path=sqlite_path,
            pg_host=pg_host,
            pg_port=pg_port,
            pg_user=pg_user,
            pg_password=pg_password,
            pg_dbname=pg_dbname,
            table=table,
        )

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._s.backend

    @property
    def table(self) -> str:
        """The repack table's name (``database.repack_table_name``)."""
        return self._s.table

    def schema_version(self) -> int:
        """Return the applied schema version (0: none yet)."""
        return self._s.schema_version()

    def upgrade(self) -> tuple[int, int]:
        """Apply missing migrations; return ``(from_version, to_version)``."""
        return self._s.upgrade()

    def get(self, vid: str) -> TapeRow | None:
        """Return the tape's row, or ``None``."""
        text = self._s.get(vid)
        return None if text is None else _row(json.loads(text))

    def list(
        self,
        *,
        state: State | None = None,
        mode: Mode | None = None,
        tapepool: str | None = None,
        tapes: list[str] | None = None,
    ) -> list[TapeRow]:
        """Rows matching every given filter, highest priority first."""
        text = self._s.list(state, mode, tapepool, tapes or [])
        return [_row(d) for d in json.loads(text)]

    def add(  # noqa: PLR0913 - the upstream columns
        self,
        vid: str,
        *,
        tapepool: str,
        mediatype: str,
        files: int = 0,
        bytes: int = 0,
        usage: int = 0,
        priority: int = 10,
        mode: Mode = "auto",
        last_write_date: str | None = None,
        responsible: str | None = None,
        reason: str = "added",
        who: str | None = None,
    ) -> bool:
        """Enter a tape (state entered); ``False`` if it already is in the table."""
        record = {
            "tape": vid,
            "files": files,
            "bytes": bytes,
            "usage": usage,
            "last_write_date": last_write_date,
            "mode": mode,
            "priority": priority,
            "mediatype": mediatype,
            "tapepool": tapepool,
            "responsible": responsible or _user(),
        }
        return self._s.add(json.dumps(record), who or _user(), reason)

    def remove(self, vid: str, *, reason: str = "removed", who: str | None = None) -> TapeRow:
        """Remove a tape's row (its history stays); return the removed row."""
        return _row(json.loads(self._s.remove(vid, who or _user(), reason)))

    def set_mode(self, vid: str, mode: Mode, *, reason: str, who: str | None = None) -> bool:
        """Set the mode; ``False`` if it already was ``mode``."""
        return self._s.set_mode(vid, mode, who or _user(), reason)

    def set_priority(self, vid: str, priority: int, *, reason: str = "priority", who: str | None = None) -> bool:
        """Set the priority; ``False`` if unchanged."""
        return self._s.set_priority(vid, priority, who or _user(), reason)

    def history(self, vid: str) -> builtins.list[HistoryEntry]:
        """Every change of the tape, oldest first."""
        return [HistoryEntry(**d) for d in json.loads(self._s.history(vid))]

    def claim(  # noqa: PLR0913
        self,
        step: str,
        state: State,
        limit: int,
        *,
        lease_seconds: int = 3600,
        who: str | None = None,
        reason: str = "claim",
    ) -> builtins.list[TapeRow]:
        """Claim up to ``limit`` auto-mode tapes in ``state`` for ``step`` (never one another run holds)."""
        text = self._s.claim(step, state, limit, lease_seconds, who or _user(), reason)
        return [_row(d) for d in json.loads(text)]

    def release(self, vid: str, step: str) -> None:
        """Give up a claim without changing the tape."""
        self._s.release(vid, step)

    def advance(self, vid: str, to: State, *, reason: str, who: str | None = None) -> bool:
        """Move a tape to ``to``; ``False`` (nothing written) if it already is there or later."""
        return self._s.advance(vid, to, who or _user(), reason)


__all__ = ["MODES", "STATES", "HistoryEntry", "Mode", "State", "Store", "TapeRow"]
