"""Limits of `ctaops sim serve` and of the gRPC client (issue 17, items 17 and 18): sockets that
never start TLS, descriptor exhaustion, idle connections, black-holed endpoints."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim, sim_serving

errors = pytest.importorskip("ctaops.errors")
admin = pytest.importorskip("ctaops.admin")

CLK_TCK = os.sysconf("SC_CLK_TCK")


@pytest.fixture
def catalogue_args() -> list[str]:
    """The limits are the frontend's, whatever the catalogue: SQLite only."""
    return []


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/PID/stat (fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _limit_fds(n: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))


@contextlib.contextmanager
def _serving(sim: Sim, *args: str, nofile: int | None = None) -> Iterator[tuple[subprocess.Popen[str], int]]:
    log = sim.dir.parent / "serve.log"
    limit = (lambda: _limit_fds(nofile)) if nofile else None
    with sim_serving(sim.exe, sim.dir, log, extra=args, preexec_fn=limit) as serving:
        yield serving.proc, serving.port


def _grpc_bin(sim: Sim, *args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    r = subprocess.run(
        [str(sim.dir / "bin" / "cta-admin-grpc"), *args], capture_output=True, text=True, check=False, timeout=timeout
    )
    return r, time.monotonic() - start


@pytest.mark.parametrize("when", ["at-start", "after-start"])
def test_idle_sockets_and_descriptor_exhaustion_do_not_lock_out_a_client(sim: Sim, when: str) -> None:
    """100 sockets that never start TLS, with `ulimit -n 60`: the server neither spins nor keeps
    a real client waiting (it used to spin at 100 % CPU with new clients hanging). `at-start`:
    the connection limit follows the descriptor limit; `after-start`: the limit is lowered under
    a running server, so accepts fail with EMFILE."""
    with _serving(sim, nofile=60 if when == "at-start" else None) as (proc, port):
        if when == "after-start":
            # once the accept loop runs (it sizes its limit from the descriptor limit at start)
            assert _grpc_bin(sim, "--json", "version")[0].returncode == 0
            resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (40, 40))
        idle = []
        try:
            for _ in range(100):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                idle.append(s)
            time.sleep(0.5)
            before = _cpu_seconds(proc.pid)
            time.sleep(2)
            spent = _cpu_seconds(proc.pid) - before
            assert spent < 0.5, f"sim serve used {spent:.2f} s of CPU in 2 s while holding idle sockets"
            r, took = _grpc_bin(sim, "--json", "tape", "ls", "--all", timeout=30)
            assert r.returncode == 0, r.stderr
            assert '"vid"' in r.stdout
            assert took < 5, f"a client waited {took:.1f} s behind idle sockets"
            # And through the library client, on a new connection.
            tapes = admin.CtaAdmin(transport="grpc", config_file=sim.dir / "cta-cli.conf", timeout=30).tapes()
            assert len(tapes) > 0
        finally:
            for s in idle:
                s.close()
    log = (sim.dir.parent / "serve.log").read_text()
    assert ("connection limit reached" if when == "at-start" else "out of file descriptors") in log, log


def test_no_spin_when_established_connections_hold_every_descriptor(sim: Sim) -> None:
    """EMFILE with nothing to drop (every descriptor is an established TLS connection): accepts
    pause instead of spinning, and resume when descriptors come back."""
    ctx = ssl.create_default_context(cafile=str(sim.dir / "grpc" / "ca.pem"))
    with _serving(sim) as (proc, port):
        assert _grpc_bin(sim, "--json", "version")[0].returncode == 0
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (40, 40))
        held: list[socket.socket] = []
        try:
            for _ in range(60):
                tcp = socket.create_connection(("127.0.0.1", port), timeout=5)
                held.append(tcp)
                try:
                    held[-1] = ctx.wrap_socket(tcp, server_hostname="localhost")
                except (TimeoutError, OSError):
                    break  # not accepted: descriptors are out
            established = sum(isinstance(s, ssl.SSLSocket) for s in held)
            assert 10 < established < 40, established
            for _ in range(20):  # queued behind them
                held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            time.sleep(0.5)
            before = _cpu_seconds(proc.pid)
            time.sleep(2)
            spent = _cpu_seconds(proc.pid) - before
            assert spent < 0.5, f"sim serve used {spent:.2f} s of CPU in 2 s while out of descriptors"
        finally:
            for s in held:
                s.close()
        r, took = _grpc_bin(sim, "--json", "tape", "ls", "--all", timeout=30)
        assert r.returncode == 0, r.stderr
        assert took < 5, took
    assert "out of file descriptors" in (sim.dir.parent / "serve.log").read_text()


def _closed_by_peer(s: socket.socket, within: float) -> float:
    """Seconds until the peer closes `s` (reads and drops whatever it sends first)."""
    start = time.monotonic()
    s.settimeout(within)
    with contextlib.suppress(ConnectionResetError):
        while s.recv(4096):
            pass
    return time.monotonic() - start


def test_handshake_and_idle_timeouts_close_connections(sim: Sim) -> None:
    with _serving(sim, "--handshake-timeout", "1", "--idle-timeout", "2") as (_, port):
        # Never starts TLS: closed after the handshake timeout (it used to stay open forever).
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            took = _closed_by_peer(raw, 10)
            assert 0.5 < took < 5, took
        # TLS done, then silence: closed after the idle timeout.
        ctx = ssl.create_default_context(cafile=str(sim.dir / "grpc" / "ca.pem"))
        ctx.set_alpn_protocols(["h2"])
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as tcp,
            ctx.wrap_socket(tcp, server_hostname="localhost") as tls,
        ):
            assert tls.selected_alpn_protocol() == "h2"
            took = _closed_by_peer(tls, 15)
            assert 1.5 < took < 8, took
        # A client that talks is not cut.
        r, _ = _grpc_bin(sim, "--json", "tape", "ls", "--all")
        assert r.returncode == 0, r.stderr


def test_serve_limits_are_checked(sim: Sim) -> None:
    for bad in (["--max-connections", "0"], ["--handshake-timeout", "0"], ["--idle-timeout", "x"]):
        r = sim.run("sim", "serve", sim.dir, "--listen", "127.0.0.1:0", *bad)
        assert r.returncode == 2, r.stderr
        assert r.stdout == ""


# --- the client side (item 18) ---


def _conf(sim: Sim, tmp: Path, port: int, extra: str = "") -> Path:
    conf = tmp / "black-hole.conf"
    conf.write_text(
        f"cta.endpoint localhost:{port}\n"
        f"grpc.tls.chain_cert_path {sim.dir / 'grpc' / 'ca.pem'}\n"
        "grpc.cta_admin_auth_method jwt\n"
        f"grpc.jwt_token_path {sim.dir / 'grpc' / 'token'}\n" + extra
    )
    return conf


@contextlib.contextmanager
def _silent_listener() -> Iterator[int]:
    """A socket that completes TCP connections (the kernel does) but never accepts or answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


@contextlib.contextmanager
def _full_backlog() -> Iterator[int]:
    """A socket whose accept queue is full: further SYNs are dropped, TCP connect never completes."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(0)
        port = s.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):
                f = socket.socket()
                f.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    f.connect(("127.0.0.1", port))
                fillers.append(f)
            time.sleep(0.2)
            yield port
        finally:
            for f in fillers:
                f.close()


@pytest.mark.parametrize("endpoint", [_silent_listener, _full_backlog], ids=["no-tls-answer", "backlog-full"])
def test_black_holed_endpoint_fails_within_the_connect_timeout(sim: Sim, tmp_path: Path, endpoint: object) -> None:
    with endpoint() as port:  # type: ignore[operator]
        conf = _conf(sim, tmp_path, port, "grpc.connect_timeout_secs 1\n")
        # A listing (retried on other failures) and a unary command: both give up after ~1 s.
        for words in (["tape", "ls", "--all"], ["tape", "ch", "--vid", "V00001", "--comment", "x"]):
            r, took = _grpc_bin(sim, "--json", "--config", str(conf), *words, timeout=60)
            assert r.returncode == 1
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1, r.stderr
            assert lines[0].startswith("error: [GRPC_UNAVAILABLE]"), lines[0]
            assert "no connection within 1 s" in lines[0], lines[0]
            assert "Status {" not in lines[0], lines[0]
            assert "metadata" not in lines[0], lines[0]
            assert took < 6, f"{words}: {took:.1f} s"
        g = admin.CtaAdmin(transport="grpc", config_file=conf, timeout=300)
        start = time.monotonic()
        with pytest.raises(errors.GrpcUnavailableError) as e:
            g.tapes()
        assert time.monotonic() - start < 6
        assert "\n" not in str(e.value)


def test_default_connect_timeout_is_ten_seconds(sim: Sim, tmp_path: Path) -> None:
    """Without the key, 10 s, not the 300 s request deadline."""
    with _silent_listener() as port:
        r, took = _grpc_bin(sim, "--json", "--config", str(_conf(sim, tmp_path, port)), "version", timeout=120)
    assert r.returncode == 1
    assert "no connection within 10 s" in r.stderr, r.stderr
    assert 9 < took < 20, took


def test_bad_connect_timeout_is_a_config_error(sim: Sim, tmp_path: Path) -> None:
    r, _ = _grpc_bin(
        sim, "--json", "--config", str(_conf(sim, tmp_path, 1, "grpc.connect_timeout_secs -3\n")), "version"
    )
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: [GRPC_CONFIG] gRPC client configuration: {tmp_path / 'black-hole.conf'}: "
        "grpc.connect_timeout_secs '-3' is not a number of seconds between 0 and 86400"
    ], r.stderr
