"""A small InfluxDB 1.x HTTP client (``/ping``, ``/query``, ``/write``) on ``urllib``.

Every failure is a :class:`InfluxError` whose message is one line naming the endpoint (``src``,
``dst`` or ``import``) and what went wrong: unreachable server, refused credentials, InfluxQL
errors such as an unknown database.
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from ctaops.errors import CtaOpsError
from ctaops.utils.config import Config


class InfluxError(CtaOpsError):
    """An InfluxDB request failed (one line, naming the endpoint)."""


@dataclass(frozen=True)
class Endpoint:
    """One of the tool's InfluxDB databases (``side``: ``src``, ``dst`` or ``import``)."""

    side: str
    host: str
    port: int
    database: str
    username: str
    password: str
    timeout: float

    @classmethod
    def from_config(cls, config: Config, side: str) -> Endpoint:
        """Read the ``<side>_influxdb_*`` keys of ``tools.cta-ops-data-monitoring``."""

        def key(name: str) -> str:
            return str(config.tool_value(f"{side}_influxdb_{name}", "") or "")

        port = key("port")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise InfluxError(f"{side}_influxdb_port is not a TCP port: {port!r}")
        timeout = config.tool_value(f"{side}_influxdb_client_timeout", 300)
        return cls(side, key("host"), int(port), key("database"), key("username"), key("password"), float(timeout))

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


Series = dict[str, Any]


class Influx:
    """Requests to one endpoint's database."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.ep = endpoint
        token = base64.b64encode(f"{endpoint.username}:{endpoint.password}".encode()).decode()
        self._auth = f"Basic {token}"

    def _request(self, path: str, params: dict[str, str], body: bytes | None = None) -> bytes:
        url = f"{self.ep.url}{path}?{urllib.parse.urlencode(params)}"
        req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")  # noqa: S310
        req.add_header("Authorization", self._auth)
        if body is not None and path == "/query":
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        where = f"InfluxDB {self.ep.side} at {self.ep.url}"
        try:
            with urllib.request.urlopen(req, timeout=self.ep.timeout) as r:  # noqa: S310  (configured http URL)
                data: bytes = r.read()
                return data
        except urllib.error.HTTPError as e:
            detail = _error_text(e.read())
            if e.code in (401, 403):
                raise InfluxError(f"{where} refused user {self.ep.username!r}: {detail}") from None
            raise InfluxError(f"{where}: HTTP {e.code}: {detail}") from None
        except urllib.error.URLError as e:
            raise InfluxError(f"cannot reach {where}: {e.reason}") from None
        except (TimeoutError, socket.timeout):
            raise InfluxError(f"{where} did not answer within {self.ep.timeout:g} s") from None
        except OSError as e:
            raise InfluxError(f"cannot reach {where}: {e}") from None

    def ping(self) -> None:
        """Check that the server answers."""
        self._request("/ping", {})

    def query(self, q: str, *, change: bool = False) -> list[Series]:
        """Run one InfluxQL statement on the database; the series of its result (times in seconds)."""
        params = {"db": self.ep.database, "epoch": "s"}
        body = urllib.parse.urlencode({"q": q}).encode() if change else None
        if not change:
            params["q"] = q
        raw = self._request("/query", params, body)
        try:
            doc = json.loads(raw)
        except ValueError:
            raise InfluxError(f"InfluxDB {self.ep.side} answered something that is not JSON") from None
        if "error" in doc:
            raise InfluxError(f"InfluxDB {self.ep.side}: {doc['error']}")
        results = doc.get("results") or [{}]
        if "error" in results[0]:
            raise InfluxError(f"InfluxDB {self.ep.side} database {self.ep.database!r}: {results[0]['error']}")
        series: list[Series] = results[0].get("series", [])
        return series

    def write(self, rp: str, lines: list[str]) -> None:
        """Write line-protocol points (second precision) into retention policy ``rp`` in one request."""
        if not lines:
            return
        body = ("\n".join(lines) + "\n").encode()
        self._request("/write", {"db": self.ep.database, "rp": rp, "precision": "s"}, body)

    def retention_policies(self) -> set[str]:
        """Return the retention policies of the database (an unknown database is an error)."""
        return {str(row[0]) for s in self.query("SHOW RETENTION POLICIES") for row in s.get("values") or []}


def _error_text(body: bytes) -> str:
    try:
        return str(json.loads(body).get("error", "")) or body.decode(errors="replace").strip()
    except ValueError:
        return body.decode(errors="replace").strip()[:200]


def quote_ident(name: str) -> str:
    """Quote an InfluxQL identifier."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_str(value: str) -> str:
    """Quote an InfluxQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
