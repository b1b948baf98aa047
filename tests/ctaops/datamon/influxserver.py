"""A throwaway InfluxDB 1.x server for tests: everything under a temp dir, HTTP on a free
127.0.0.1 port with auth on and an admin user, the other listeners off, stopped afterwards."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INFLUXD = shutil.which("influxd") or "/usr/bin/influxd"
USER = "admin"
PASSWORD = "s3cret-admin"  # noqa: S105  (a throwaway server's admin)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{d}/meta"
  logging-enabled = false
[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false
[coordinator]
  log-queries-after = "0s"
[retention]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{port}"
  auth-enabled = true
  log-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
"""


@dataclass
class InfluxServer:
    """A running ``influxd``; :meth:`stop` ends it and removes its files."""

    directory: Path
    port: int
    proc: subprocess.Popen[bytes]

    @classmethod
    def start(cls) -> InfluxServer:
        directory = Path(tempfile.mkdtemp(prefix="ctaops-influx-"))
        error = ""
        for _ in range(5):
            port, rpc = _free_port(), _free_port()
            conf = directory / "influxdb.conf"
            conf.write_text(CONFIG.format(d=directory, port=port, rpc=rpc))
            log = (directory / "influxd.log").open("wb")
            proc = subprocess.Popen([INFLUXD, "-config", str(conf)], stdout=log, stderr=subprocess.STDOUT)
            log.close()
            server = cls(directory, port, proc)
            if server._wait_ping():
                server._query_raw(f"CREATE USER {USER} WITH PASSWORD '{PASSWORD}' WITH ALL PRIVILEGES", auth=False)
                return server
            proc.kill()
            proc.wait()
            error = (directory / "influxd.log").read_text()[-2000:]
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"influxd did not start: {error}")

    def _wait_ping(self) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(  # noqa: S310  (http://127.0.0.1 only)
                    f"{self.url}/ping", timeout=2
                ):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _query_raw(self, q: str, db: str = "", *, auth: bool = True) -> dict[str, Any]:
        body = urllib.parse.urlencode({"q": q, "db": db, "epoch": "s"}).encode()
        req = urllib.request.Request(f"{self.url}/query", data=body, method="POST")  # noqa: S310  (127.0.0.1)
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
        with urllib.request.urlopen(  # noqa: S310  (http://127.0.0.1 only)
            req, timeout=30
        ) as r:
            doc: dict[str, Any] = json.loads(r.read())
        err = doc.get("error") or (doc.get("results") or [{}])[0].get("error")
        assert not err, (q, err)
        return doc

    def query(self, q: str, db: str = "") -> list[dict[str, Any]]:
        """The series of ``q``'s result."""
        series: list[dict[str, Any]] = self._query_raw(q, db)["results"][0].get("series", [])
        return series

    def write(self, db: str, rp: str, lines: list[str]) -> None:
        """Write line protocol (second precision)."""
        qs = urllib.parse.urlencode({"db": db, "rp": rp, "precision": "s"})
        url = f"{self.url}/write?{qs}"
        req = urllib.request.Request(url, data="\n".join(lines).encode(), method="POST")  # noqa: S310  (127.0.0.1)
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
        with urllib.request.urlopen(  # noqa: S310  (http://127.0.0.1 only)
            req, timeout=30
        ):
            pass

    def points(
        self, db: str, rp: str, measurement: str
    ) -> dict[tuple[int, tuple[tuple[str, str], ...]], dict[str, Any]]:
        """Every point of ``rp.measurement``: fields by (time, sorted tags)."""
        out: dict[tuple[int, tuple[tuple[str, str], ...]], dict[str, Any]] = {}
        q = f'SELECT * FROM "{rp}"."{measurement}" GROUP BY *'  # noqa: S608  (test names)
        for s in self.query(q, db):
            tags = tuple(sorted((s.get("tags") or {}).items()))
            cols = s["columns"]
            for row in s["values"]:
                out[(int(row[0]), tags)] = {c: v for c, v in zip(cols[1:], row[1:]) if v is not None}
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
