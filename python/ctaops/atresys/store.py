"""ATRESYS state store: the ``REPACK_STATUS`` table with its history, on SQLite or PostgreSQL.

The same store the ``cta-ops-repack-manager`` command and the scheduled repack steps use
(``ctaops-store`` in Rust). Every change is written in one transaction with its history row;
transitions are idempotent (:meth:`Store.advance` returns ``False`` when the tape already is
there) and :meth:`Store.claim` never hands the same tape to two concurrent runs.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from ctaops import _core
from ctaops.utils.config import Config

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped]

Mode = Literal["auto", "manual", "error"]
State = Literal["entered", "started", "repacked", "quarantined", "reclaimed", "finished"]

STATES: tuple[State, ...] = ("entered", "started", "repacked", "quarantined", "reclaimed", "finished")
MODES: tuple[Mode, ...] = ("auto", "manual", "error")
MAX_REASON_LEN = 1000
"""Longest reason the history takes, in characters (CTA's limit for comments and state reasons,
``MAX_REASON_LEN`` in ``ctaops-store``); a longer one is refused (``InvalidArgumentError``)."""


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


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be read (hand-edited or damaged table): reported, never worked on."""

    tape: str
    problem: str


@dataclass(frozen=True)
class Listing:
    """What :meth:`Store.listing` found: the readable rows and the malformed ones."""

    rows: builtins.list[TapeRow]
    bad: builtins.list[BadRow]


@dataclass(frozen=True)
class Hold:
    """Whether a step still holds a tape (:meth:`Store.renew`).

    ``status``: ``held`` (go ahead), ``removed`` (``rm`` since the claim), ``taken-over`` (mode no
    longer auto), ``lost`` (the tape moved on or another run holds it now).
    """

    status: Literal["held", "removed", "taken-over", "lost"]
    detail: str = ""
    mode: Mode | None = None


def _row(d: dict[str, Any]) -> TapeRow:
    names = {f.name for f in fields(TapeRow)}
    return TapeRow(**{k: v for k, v in d.items() if k in names})


def _user() -> str:
    """Return the real uid's name (``(sudo by X)`` under sudo), never ``$USER`` (``operator()`` in Rust)."""
    return _core.atresys_operator()


class Store:
    """An open connection to the ATRESYS database.

    With no arguments the database comes from the ops config file
    (``tools.cta-ops-repack-automation.database``); the first argument names that file, or is a
    loaded :class:`~ctaops.utils.config.Config`. ``sqlite_path`` or ``pg_host`` (with the other
    ``pg_*`` arguments) open a database directly.
    """

    def __init__(  # noqa: PLR0913 - keyword-only connection settings
        self,
        config_file: Config | str | os.PathLike[str] | None = None,
        *,
        sqlite_path: str | os.PathLike[str] | None = None,
        pg_host: str | None = None,
        pg_port: int = 5432,
        pg_user: str | None = None,
        pg_password: str | None = None,
        pg_dbname: str | None = None,
        table: str | None = None,
    ) -> None:
        if isinstance(config_file, Config):
            config_file = config_file.source
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

    def check_schema(self) -> int:
        """Return the schema version if it is exactly this program's.

        Else raise :class:`~ctaops.errors.AtresysSchemaError` (one line: newer, older, or tables missing).
        """
        return self._s.check_schema()

    def missing_tables(self) -> builtins.list[str]:
        """Return the schema's tables that do not exist (quoted names)."""
        return self._s.missing_tables()

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
        """Rows matching every given filter, highest priority first.

        Malformed rows are left out: :meth:`listing` reports them.
        """
        return self.listing(state=state, mode=mode, tapepool=tapepool, tapes=tapes).rows

    def listing(
        self,
        *,
        state: State | None = None,
        mode: Mode | None = None,
        tapepool: str | None = None,
        tapes: builtins.list[str] | None = None,
    ) -> Listing:
        """Like :meth:`list`, with the rows that cannot be read reported instead of failing the listing."""
        doc = json.loads(self._s.list(state, mode, tapepool, tapes or []))
        return Listing([_row(d) for d in doc["rows"]], [BadRow(**b) for b in doc["bad"]])

    def to_arrow(
        self,
        *,
        state: State | None = None,
        mode: Mode | None = None,
        tapepool: str | None = None,
        tapes: builtins.list[str] | None = None,
    ) -> pyarrow.Table:
        """Return the rows :meth:`list` gives as a ``pyarrow.Table``; times are UTC timestamps."""
        from ctaops.atresys.frame import rows_to_arrow  # noqa: PLC0415 (frame imports this module)

        return rows_to_arrow(self.list(state=state, mode=mode, tapepool=tapepool, tapes=tapes))

    def to_pandas(self, **filters: Any) -> Any:
        """:meth:`to_arrow` as a ``pandas.DataFrame`` (same filters)."""
        return self.to_arrow(**filters).to_pandas()

    def to_polars(self, **filters: Any) -> Any:
        """:meth:`to_arrow` as a ``polars.DataFrame`` (same filters)."""
        # Optional dependency, imported when used (and not by name: mypy would check polars itself).
        polars = importlib.import_module("polars")
        return polars.from_arrow(self.to_arrow(**filters))

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
            "responsible": responsible or _user()[:40],  # the upstream column is varchar(40)
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

    def renew(  # noqa: PLR0913
        self,
        vid: str,
        step: str,
        state: State,
        *,
        lease_seconds: int = 3600,
        who: str | None = None,
        reason: str = "renew",
    ) -> Hold:
        """Check, right before a state-changing CTA call, that ``step`` (owner ``who``) still holds the tape.

        In the transaction that renews the claim: still in the table, in ``state``, mode auto.
        """
        d = json.loads(self._s.renew(vid, step, state, lease_seconds, who or _user(), reason))
        return Hold(status=d["status"], detail=d.get("detail", ""), mode=d.get("mode"))

    def release(self, vid: str, step: str) -> None:
        """Give up a claim without changing the tape."""
        self._s.release(vid, step)

    def advance(self, vid: str, to: State, *, reason: str, who: str | None = None) -> bool:
        """Move a tape to ``to``; ``False`` (nothing written) if it already is there or later."""
        return self._s.advance(vid, to, who or _user(), reason)


__all__ = [
    "MAX_REASON_LEN",
    "MODES",
    "STATES",
    "BadRow",
    "HistoryEntry",
    "Hold",
    "Listing",
    "Mode",
    "State",
    "Store",
    "TapeRow",
]
