"""A throwaway PostgreSQL cluster for tests (the Python twin of ctaops-testutil's PgCluster).

`initdb` refuses to run as root, so under root (as in CI) the server tools run as the
`postgres` user through `runuser`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path:
    explicit = os.environ.get("CTAOPS_PG_BINDIR")
    if explicit:
        return Path(explicit)
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    if not versions:
        raise RuntimeError("PostgreSQL server binaries not found (install Debian's 'postgresql' package)")
    return versions[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PgCluster:
    """A running server; `stop()` shuts it down and deletes its files."""

    directory: Path
    bindir: Path
    port: int
    user: str = "ctaops"

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=self.directory, check=False)
        if res.returncode != 0:
            log = self.directory / "server.log"
            extra = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {res.stderr.strip()} {extra.strip()}")

    @classmethod
    def start(cls) -> PgCluster:
        directory = Path(tempfile.mkdtemp(prefix="ctaops-pg-"))
        directory.chmod(0o777)
        cluster = cls(directory=directory, bindir=_bindir(), port=0)
        data = str(directory / "data")
        cluster._run("initdb", "-D", data, "-A", "trust", "-U", cluster.user, "--no-sync", "-E", "UTF8", "--locale=C")
        error: Exception | None = None
        for _ in range(5):
            cluster.port = _free_port()
            opts = (
                f"-k {directory} -h 127.0.0.1 -p {cluster.port} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                cluster._run("pg_ctl", "-D", data, "-l", str(directory / "server.log"), "-w", "-o", opts, "start")
            except RuntimeError as exc:
                error = exc
                continue
            return cluster
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {error}")

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
