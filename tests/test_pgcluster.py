"""The throwaway PostgreSQL fixture is a real server: DDL, constraints, writes and reads."""

from __future__ import annotations

import psycopg
import pytest

from tests.pgcluster import PgCluster

pytestmark = pytest.mark.postgres


def test_create_write_read(postgresql_cluster: PgCluster) -> None:
    with psycopg.connect(postgresql_cluster.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE repack_probe (tape TEXT PRIMARY KEY, files BIGINT NOT NULL)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO repack_probe VALUES (%s, %s)", [("L00001", 10), ("L00002", 20)])
        rows = conn.execute("SELECT tape, files FROM repack_probe ORDER BY tape").fetchall()
        assert rows == [("L00001", 10), ("L00002", 20)]
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO repack_probe VALUES ('L00001', 1)")
        conn.execute("DROP TABLE repack_probe")


def test_cluster_is_private_to_the_session(postgresql_cluster: PgCluster) -> None:
    assert postgresql_cluster.directory.exists()
    assert postgresql_cluster.port > 0
    with psycopg.connect(postgresql_cluster.dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        assert version is not None
        assert int(version[0].split(".")[0]) >= 13
