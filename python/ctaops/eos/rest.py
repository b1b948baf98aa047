"""A small client of EOS's HTTPS interface: the REST keytab and the proc calls the EOS tools make.

The keytab (YAML) has one key per EOS instance with ``port`` and ``token`` (upstream's shape),
and optionally ``host`` (default ``localhost``) and ``ca`` (the CA file that verifies the
server; default: the system's trust store). Calls go to ``/proc/user/`` with
``Authorization: Bearer <token>``; EOS answers with JSON carrying ``retc`` (an errno) and
``errormsg``.
"""

from __future__ import annotations

import errno
import http.client
import json
import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any

from ctaops.errors import CtaOpsError
from ctaops.utils.config import Config, load_yaml

from . import DEFAULT_KEYTAB, KEYTAB_KEY

TAPE_FSID = 65535
"""EOS's file system ID of a tape replica: a file shows it once it has a copy on tape."""


class EosError(CtaOpsError):
    """EOS refused or failed a call; ``retc`` is EOS's errno when it answered."""

    def __init__(self, message: str, retc: int | None = None) -> None:
        super().__init__(message)
        self.retc = retc


class EosKeytabError(EosError):
    """The REST keytab is missing, unreadable, malformed, or has no entry for the instance."""


class EosAuthError(EosError):
    """EOS refused the token (HTTP 401/403)."""


class EosNotFoundError(EosError):
    """EOS does not know the file (``retc`` 2)."""


class EosUnreachableError(EosError):
    """No answer from EOS (connection refused, TLS failure, timeout)."""


@dataclass(frozen=True)
class KeytabEntry:
    """One EOS instance of the keytab."""

    instance: str
    host: str
    port: int
    token: str
    ca: str | None

    @property
    def url(self) -> str:
        """The instance's base URL."""
        return f"https://{self.host}:{self.port}"


def keytab_path(config: Config) -> str:
    """Return the keytab path the config names (``...cta-ops-get-path-from-eos.rest_key_tab``)."""
    return str(config.get_path(KEYTAB_KEY) or DEFAULT_KEYTAB)


def load_keytab(path: str) -> dict[str, KeytabEntry]:
    """Every instance of the keytab at ``path``; :class:`EosKeytabError` when it cannot be used."""
    try:
        with open(path, encoding="utf-8"):
            pass
        doc = load_yaml(path)
    except OSError as e:
        raise EosKeytabError(f"REST keytab {path}: cannot read it: {e.strerror or e}") from None
    except CtaOpsError as e:
        raise EosKeytabError(f"REST keytab {path}: not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise EosKeytabError(f"REST keytab {path}: expected one key per EOS instance")
    out: dict[str, KeytabEntry] = {}
    for name, entry in doc.items():
        if not isinstance(entry, dict) or "token" not in entry or "port" not in entry:
            raise EosKeytabError(f"REST keytab {path}: instance {name} needs a port and a token")
        try:
            port = int(entry["port"])
        except (TypeError, ValueError):
            raise EosKeytabError(f"REST keytab {path}: instance {name}: port is not a number") from None
        ca = entry.get("ca")
        out[str(name)] = KeytabEntry(
            str(name), str(entry.get("host") or "localhost"), port, str(entry["token"]), str(ca) if ca else None
        )
    return out


def entry_for(keytab: dict[str, KeytabEntry], instance: str, path: str) -> KeytabEntry:
    """Return the keytab's entry of ``instance``; :class:`EosKeytabError` names those it has otherwise."""
    try:
        return keytab[instance]
    except KeyError:
        have = ", ".join(sorted(keytab)) or "none"
        raise EosKeytabError(f"EOS instance {instance} is not in the REST keytab {path} (it has: {have})") from None


class EosClient:
    """Calls one EOS instance over one kept-alive HTTPS connection (reopened when it drops)."""

    def __init__(self, entry: KeytabEntry, timeout: float = 30.0) -> None:
        self.entry = entry
        self.timeout = timeout
        self._ctx = ssl.create_default_context(cafile=entry.ca) if entry.ca else ssl.create_default_context()
        self._conn: http.client.HTTPSConnection | None = None

    def close(self) -> None:
        """Close the connection (the next call opens another)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, target: str) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self.entry.token}"}
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPSConnection(
                    self.entry.host, self.entry.port, timeout=self.timeout, context=self._ctx
                )
            try:
                self._conn.request("GET", target, headers=headers)
                resp = self._conn.getresponse()
                return resp.status, resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                # A kept-alive connection the server closed meanwhile: one fresh try.
                self.close()
                if attempt == 2:
                    raise self._unreachable(e) from None
            except (OSError, http.client.HTTPException) as e:
                self.close()
                raise self._unreachable(e) from None
        raise AssertionError("unreachable")

    def _unreachable(self, e: BaseException) -> EosUnreachableError:
        if isinstance(e, ssl.SSLError):
            why = f"TLS: {e.reason or e}"
        elif isinstance(e, socket.timeout):
            why = f"no answer within {self.timeout:g} s"
        elif isinstance(e, OSError) and e.strerror:
            why = e.strerror
        else:
            why = str(e) or type(e).__name__
        return EosUnreachableError(f"EOS instance {self.entry.instance} at {self.entry.url} unreachable: {why}")

    def proc(self, **params: str) -> dict[str, Any]:
        """One ``/proc/user/`` call (``mgm.`` prefixes added); EOS's JSON answer, errors raised."""
        query = urllib.parse.urlencode({f"mgm.{k.replace('_', '.')}": v for k, v in params.items()})
        status, body = self._request(f"/proc/user/?{query}&mgm.format=json")
        try:
            doc = json.loads(body) if body else {}
        except ValueError:
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        message = str(doc.get("errormsg") or "").strip() or f"HTTP {status}"
        retc = int(doc.get("retc") or 0)
        where = f"EOS instance {self.entry.instance}"
        if status in (401, 403):
            raise EosAuthError(f"{where} refused the token of the REST keytab (HTTP {status}): {message}", retc)
        if retc == errno.ENOENT:
            raise EosNotFoundError(f"{where}: {message}", retc)
        if status != 200 or retc != 0:
            raise EosError(f"{where}: {message}", retc or None)
        return doc

    def fileinfo(self, ref: str) -> dict[str, Any]:
        """``file info`` of ``fxid:HEX``, ``fid:DEC`` or a path."""
        return self.proc(cmd="fileinfo", path=ref)

    def attr_set(self, ref: str, key: str, value: str) -> None:
        """Set an extended attribute."""
        self.proc(cmd="attr", subcmd="set", attr_key=key, attr_value=value, path=ref)

    def attr_get(self, ref: str, key: str) -> str:
        """Return an extended attribute."""
        doc = self.proc(cmd="attr", subcmd="get", attr_key=key, path=ref)
        attr = doc.get("attr")
        return str(attr.get(key, "")) if isinstance(attr, dict) else ""


def on_tape(info: dict[str, Any]) -> bool:
    """Whether ``file info`` shows a tape replica (location 65535)."""
    locations = info.get("locations")
    return isinstance(locations, list) and any(
        isinstance(loc, dict) and int(loc.get("fsid", 0)) == TAPE_FSID for loc in locations
    )


def xattr(info: dict[str, Any], key: str) -> str | None:
    """Return an extended attribute of ``file info`` (None when absent)."""
    attrs = info.get("xattr")
    if isinstance(attrs, dict) and key in attrs:
        return str(attrs[key])
    return None


__all__ = [
    "TAPE_FSID",
    "EosAuthError",
    "EosClient",
    "EosError",
    "EosKeytabError",
    "EosNotFoundError",
    "EosUnreachableError",
    "KeytabEntry",
    "entry_for",
    "keytab_path",
    "load_keytab",
    "on_tape",
    "xattr",
]
