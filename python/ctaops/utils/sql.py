"""Database settings of the DB-backed tools (ATRESYS): the connection URL.

Query execution helpers arrive with the tools that own the databases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from ctaops.utils.config import Config


def database_url(config: Config, tool: str = "cta-ops-repack-automation") -> str:
    """``postgresql://user:password@host:port/name`` from ``tools.<tool>.database``.

    Raises ``ValueError`` naming the key when a value is missing or the port is not a number.
    """
    db = config.get_path(f"tools.{tool}.database")
    if not isinstance(db, dict):
        raise ValueError(  # noqa: TRY004  (a config problem, not a caller's type error)
            f"tools.{tool}.database is not configured"
        )
    missing = [k for k in ("username", "password", "host", "port", "name") if db.get(k) in (None, "")]
    if missing:
        raise ValueError(f"tools.{tool}.database.{missing[0]} is not set")
    try:
        port = int(db["port"])
    except (TypeError, ValueError):
        raise ValueError(f"tools.{tool}.database.port is not a number: {db['port']!r}") from None
    user, password = quote(str(db["username"]), safe=""), quote(str(db["password"]), safe="")
    return f"postgresql://{user}:{password}@{db['host']}:{port}/{quote(str(db['name']), safe='')}"


__all__ = ["database_url"]
