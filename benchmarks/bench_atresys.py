"""ATRESYS store: one cycle over 1,000 tapes (add, claim in batches, advance, history) per backend.

Alternative in the same run: the same cycle written directly against Python's stdlib ``sqlite3``
(one transaction per change with its history row, like the store), the obvious hand-written tool.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctaops.atresys import Store

N = 1000
BATCH = 100


def cycle(s: Store) -> float:
    t0 = time.perf_counter()
    for i in range(N):
        s.add(f"B{i:05d}", tapepool="p", mediatype="LTO8", usage=20, priority=10 + i % 2, reason="bench")
    while batch := s.claim("start", "entered", BATCH, who="bench"):
        for r in batch:
            s.advance(r.tape, "started", reason="bench")
    for i in range(0, N, 10):
        s.history(f"B{i:05d}")
    return time.perf_counter() - t0


def stdlib_cycle(path: Path) -> float:
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=NORMAL")
    c.executescript(
        "CREATE TABLE t (tape TEXT PRIMARY KEY, entered TEXT, started TEXT, mode TEXT, priority INT, pool TEXT);"
        "CREATE TABLE h (id INTEGER PRIMARY KEY, tape TEXT, at TEXT, action TEXT, reason TEXT);"
        "CREATE INDEX hi ON h (tape, id);"
        "CREATE TABLE c (tape TEXT PRIMARY KEY, owner TEXT, expires TEXT);"
    )
    now = "strftime('%Y-%m-%d %H:%M:%S','now')"
    t0 = time.perf_counter()
    for i in range(N):
        c.execute("BEGIN IMMEDIATE")
        c.execute(f"INSERT INTO t VALUES (?, {now}, NULL, 'auto', ?, 'p')", (f"B{i:05d}", 10 + i % 2))  # noqa: S608 - constant SQL, no input
        c.execute(f"INSERT INTO h (tape, at, action, reason) VALUES (?, {now}, 'add', 'bench')", (f"B{i:05d}",))  # noqa: S608 - constant SQL, no input
        c.execute("COMMIT")
    while True:
        c.execute("BEGIN IMMEDIATE")
        rows = c.execute(
            "SELECT tape FROM t WHERE started IS NULL AND mode = 'auto' AND tape NOT IN (SELECT tape FROM c) "
            "ORDER BY priority DESC, entered LIMIT ?",
            (BATCH,),
        ).fetchall()
        c.executemany(f"INSERT INTO c VALUES (?, 'bench', {now})", rows)  # noqa: S608 - constant SQL, no input
        c.execute("COMMIT")
        if not rows:
            break
        for (tape,) in rows:
            c.execute("BEGIN IMMEDIATE")
            c.execute(f"UPDATE t SET started = {now} WHERE tape = ?", (tape,))  # noqa: S608 - constant SQL, no input
            c.execute(f"INSERT INTO h (tape, at, action, reason) VALUES (?, {now}, 'advance', 'bench')", (tape,))  # noqa: S608 - constant SQL, no input
            c.execute("DELETE FROM c WHERE tape = ?", (tape,))
            c.execute("COMMIT")
    for i in range(0, N, 10):
        c.execute("SELECT * FROM h WHERE tape = ? ORDER BY id", (f"B{i:05d}",)).fetchall()
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        s = Store(sqlite_path=Path(d) / "a.sqlite", table="BENCH")
        s.upgrade()
        t_store = cycle(s)
        t_std = stdlib_cycle(Path(d) / "b.sqlite")
    print(
        f"sqlite    : ctaops store {t_store:.2f} s for {N} tapes; stdlib sqlite3 {t_std:.2f} s; "
        f"ratio {t_std / t_store:.2f}x"
    )
    try:
        from tests.pgcluster import PgCluster  # noqa: PLC0415 - optional, needs the repo
    except ImportError:
        return
    cluster = PgCluster.start()
    try:
        s = Store(pg_host="127.0.0.1", pg_port=cluster.port, pg_user=cluster.user, pg_dbname="postgres", table="BENCH")
        s.upgrade()
        t_pg = cycle(s)
        print(f"postgresql: ctaops store {t_pg:.2f} s for {N} tapes (target <= 10 s for a whole cycle)")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
