"""The simulator's gRPC frontend (`ctaops sim serve`) against its `cta-admin`, through the public
API: `CtaAdmin(transport="grpc")` and `CtaAdmin()` on one instance, plus the security cases."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ctaops.utils.config import load_yaml
from tests.ctaops.drivetools import deep_update
from tests.ctaops.sim.conftest import Sim, sim_serving

admin = pytest.importorskip("ctaops.admin")
errors = pytest.importorskip("ctaops.errors")

# Every listing cta-admin has, by full command name (recycletf needs a search option, as in CTA).
LS = [
    ["tape", "ls", "--all"],
    ["tapepool", "ls"],
    ["tapefile", "ls", "--vid", "V00001"],
    ["drive", "ls"],
    ["storageclass", "ls"],
    ["archiveroute", "ls"],
    ["virtualorganization", "ls"],
    ["mediatype", "ls"],
    ["logicallibrary", "ls"],
    ["physicallibrary", "ls"],
    ["mountpolicy", "ls"],
    ["admin", "ls"],
    ["diskinstance", "ls"],
    ["groupmountrule", "ls"],
    ["requestermountrule", "ls"],
    ["repack", "ls"],
    ["failedrequest", "ls"],
    ["recycletf", "ls", "--vid", "V00001"],
    ["diskinstancespace", "ls"],
    ["disksystem", "ls"],
    ["activitymountrule", "ls"],
    ["showqueues"],
    ["version"],
]


@dataclass
class Served:
    sim: Sim
    proc: subprocess.Popen[str]
    port: int

    @property
    def conf(self) -> Path:
        return self.sim.dir / "cta-cli.conf"

    def grpc(self, conf: Path | None = None) -> object:
        return admin.CtaAdmin(transport="grpc", config_file=conf or self.conf, timeout=30)

    def spawn(self) -> object:
        return admin.CtaAdmin(cta_admin=self.sim.dir / "bin" / "cta-admin", timeout=60)

    def write_conf(self, tmp: Path, *, endpoint: str | None = None, token: str | None = None) -> Path:
        """A cta-cli.conf like the instance's, with another endpoint and/or token."""
        tok = self.sim.dir / "grpc" / "token"
        if token is not None:
            tok = tmp / "token"
            tok.write_text(token + "\n")
        conf = tmp / "cta-cli.conf"
        conf.write_text(
            f"cta.endpoint {endpoint or f'localhost:{self.port}'}\n"
            f"grpc.tls.chain_cert_path {self.sim.dir / 'grpc' / 'ca.pem'}\n"
            "grpc.cta_admin_auth_method jwt\n"
            f"grpc.jwt_token_path {tok}\n"
        )
        return conf

    def token(self, *args: str) -> str:
        r = self.sim.run("sim", "token", self.sim.dir, *args)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()


def _serve(sim: Sim, listen: str = "127.0.0.1:0") -> Iterator[Served]:
    with sim_serving(sim.exe, sim.dir, sim.dir.parent / "serve.log", listen) as s:
        yield Served(sim, s.proc, s.port)


@pytest.fixture
def served(sim: Sim) -> Iterator[Served]:
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "3", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    yield from _serve(sim)


def test_init_writes_the_client_config(served: Served) -> None:
    text = served.conf.read_text()
    assert f"cta.endpoint localhost:{served.port}" in text
    assert "grpc.cta_admin_auth_method jwt" in text
    assert (served.sim.dir / "grpc" / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    ops = (served.sim.dir / "cta-ops-config.yaml").read_text()
    assert "cta-admin_config" in ops
    assert "cta-cli.conf" in ops


# Seconds since something, computed at query time: they tick between the two calls.
CLOCK_KEYS = {"timeSinceLastUpdate", "currentStateDuration", "sessionElapsedTime", "driveStatusSince"}


def _steady(records: object) -> list[dict[str, object]]:
    return [{k: v for k, v in r.to_dict().items() if k not in CLOCK_KEYS} for r in records]  # type: ignore[attr-defined]


@pytest.mark.parametrize("words", LS, ids=[w[0] for w in LS])
def test_every_ls_gives_identical_records_through_both_transports(served: Served, words: list[str]) -> None:
    via_grpc = served.grpc().run(*words)
    via_spawn = served.spawn().run(*words)
    assert via_grpc.kind == via_spawn.kind
    assert len(via_grpc) == len(via_spawn)
    if words[0] == "drive":
        assert _steady(via_grpc) == _steady(via_spawn)
        return
    if words[0] == "tapepool":
        # Deprecated field 9: on the wire an empty `supply` is the same as none (proto3).
        spawn = [{k: v for k, v in r.items() if not (k == "supply" and v == "")} for r in via_spawn.to_dicts()]
        assert via_grpc.to_dicts() == spawn
        return
    assert via_grpc.to_json() == via_spawn.to_json()
    assert list(via_grpc) == list(via_spawn)
    if words[0] in ("tape", "tapefile"):
        assert len(via_grpc) > 0
        assert via_grpc.to_arrow().equals(via_spawn.to_arrow())


def test_arrow_tables_are_the_same(served: Served) -> None:
    g = served.grpc().arrow("tapefile", vid="V00001")
    s = served.spawn().arrow("tapefile", vid="V00001")
    assert g.num_rows == 3
    assert g.equals(s)


def test_async_methods_over_grpc(served: Served) -> None:
    g = served.grpc()

    async def both() -> tuple[object, object]:
        return await asyncio.gather(g.tapes_async(vid="V00001"), g.tape_files_async("V00001"))

    tapes, files = asyncio.run(both())
    assert [t.vid for t in tapes] == ["V00001"]
    assert len(files) == 3
    assert asyncio.run(g.run_async("tape", "ls", "--vid", "V00002")).to_json() == g.tapes(vid="V00002").to_json()


def test_state_changing_commands_over_grpc(served: Served) -> None:
    g, s = served.grpc(), served.spawn()
    drive = s.drives()[0].driveName
    g.drive_down(drive, "grpc test")
    assert s.drives(drive)[0].desiredDriveState == "DOWN"
    g.drive_ch(drive, "comment via grpc")
    assert s.drives(drive)[0].comment == "comment via grpc"
    g.drive_up(drive)
    assert s.drives(drive)[0].desiredDriveState == "UP"
    g.tape_ch("V00002", state="DISABLED", reason="grpc test")
    assert s.tapes(vid="V00002")[0].state == "DISABLED"
    g.tape_ch("V00002", state="ACTIVE")
    g.tape_ch("V00001", full=True)
    g.tape_ch("V00001", state="REPACKING", reason="grpc test")
    g.repack_add("ctaops_mp", vid="V00001", justmove=True)
    assert [r.vid for r in s.repacks()] == ["V00001"]
    g.repack_rm("V00001")
    assert len(s.repacks()) == 0
    assert asyncio.run(g.drive_down_async(drive, "async")) is not None
    assert s.drives(drive)[0].desiredDriveState == "DOWN"


def test_user_errors_keep_ctas_message(served: Served) -> None:
    g = served.grpc()
    with pytest.raises(errors.CtaAdminUserError, match="NOPE01"):
        g.tapes(vid="NOPE01")
    with pytest.raises(errors.CtaAdminUserError):
        g.tape_ch("NOPE01", state="DISABLED", reason="x")


def test_commands_follow_the_frontends_cta_version(served: Served, tmp_path: Path) -> None:
    g = served.grpc()
    # The simulator implements CTA HEAD's command line and says so: nothing is adapted.
    assert (g.cta_version() or "").startswith("5.11.20.0-")
    assert [sc.name for sc in g.storage_classes(vid="V00001")] == [
        sc.name for sc in served.spawn().storage_classes(vid="V00001")
    ]
    old = admin.CtaAdmin(transport="grpc", config_file=served.conf, timeout=30, cta_version="5.11.17.0-1")
    assert old.cta_version() == "5.11.17.0-1"
    with pytest.raises(errors.CtaVersionUnsupportedError) as e:
        old.storage_classes(vid="V00001")
    assert str(e.value) == (
        "cta-admin storageclass ls --vid V00001: option --vid needs CTA 5.11.18 or newer (this CTA is 5.11.17.0-1)"
    )
    ids = tmp_path / "ids"
    ids.write_text("1 2\n")
    # HEAD's --idfile key is not in the public .proto; the key an older release reads is, so the
    # request goes out as `--id` (FILE_ID) and this HEAD-like server answers as CTA HEAD does.
    with pytest.raises(errors.InvalidArgumentError, match="ARCHIVE_FILE_ID is not public"):
        g.run("af", "ch", "--idfile", str(ids), "--storageclass", "x")
    with pytest.raises(errors.CtaAdminUserError, match=r"af ch --id \S+ --storageclass x: Missing option: --idfile"):
        old.run("af", "ch", "--idfile", str(ids), "--storageclass", "x")


def test_cli_admin_noun_uses_either_transport(served: Served) -> None:
    env_conf = served.sim.dir / "cta-ops-config.yaml"
    outs = []
    for transport in ("grpc", "cta-admin"):
        r = served.sim.run(
            "admin", "-C", env_conf, "--transport", transport, "--json", "--", "tape", "ls", "--vid", "V00001"
        )
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]
    assert '"vid":"V00001"' in outs[0]
    r = served.sim.run("admin", "-C", env_conf, "--transport", "grpc", "--", "tape", "ls", "--vid", "NOPE01")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert "NOPE01" in r.stderr


def test_the_ops_config_chooses_the_transport(served: Served, tmp_path: Path) -> None:
    """``global.tape.cta-admin_transport: grpc`` sends the CLI and ``CtaAdmin(config)`` (so every
    tool built on it) to the frontend; the ``cta-admin`` binary it names does not even exist."""
    # The instance's own config, switched to gRPC.
    tape = {"cta-admin_config": str(served.conf), "cta-admin_transport": "grpc"}
    changes = {"global": {"binaries": {"cta-admin": str(tmp_path / "no-such-cta-admin")}, "tape": tape}}
    doc = deep_update(load_yaml(served.sim.dir / "cta-ops-config.yaml"), changes)
    config = tmp_path / "cta-ops-config.yaml"
    config.write_text(json.dumps(doc))  # JSON is YAML
    r = served.sim.run("admin", "-C", config, "--json", "--", "tape", "ls", "--vid", "V00001")
    assert r.returncode == 0, r.stderr
    assert '"vid":"V00001"' in r.stdout
    # --transport still wins over the config.
    r = served.sim.run("admin", "-C", config, "--transport", "cta-admin", "--", "tape", "ls", "--vid", "V00001")
    assert r.returncode == 1
    assert "no-such-cta-admin" in r.stderr
    a = admin.CtaAdmin(str(config))
    assert a.settings.transport == "grpc"
    assert [t.vid for t in a.tapes(vid="V00001")] == ["V00001"]
    assert admin.CtaAdmin(str(config), transport="cta-admin").settings.transport == "cta-admin"
    # A client config that is not there is an error naming it (no fallback to another file).
    missing = tmp_path / "missing-cta-cli.conf"
    config.write_text(config.read_text().replace(str(served.conf), str(missing)))
    with pytest.raises(errors.GrpcConfigError, match=r"missing-cta-cli\.conf"):
        admin.CtaAdmin(str(config))


def test_sim_cta_admin_grpc_goes_through_the_frontend(served: Served, tmp_path: Path) -> None:
    """DIR/bin/cta-admin-grpc is a client of `sim serve`, as CTA's cta-admin-grpc is of its frontend."""
    grpc_bin = served.sim.dir / "bin" / "cta-admin-grpc"
    via_frontend = admin.CtaAdmin(cta_admin=grpc_bin, config_file=served.conf, timeout=60)
    for words in (["tape", "ls", "--all"], ["tapefile", "ls", "--vid", "V00001"], ["storageclass", "ls"]):
        got, want = via_frontend.run(*words), served.spawn().run(*words)
        assert len(got) > 0
        assert got.to_json() == want.to_json()
    assert via_frontend.tape_ch("V00002", comment="through the frontend") == ""
    assert served.spawn().tapes(vid="V00002")[0].comment == "through the frontend"
    # CTA's refusal keeps exit 2 and its text; a frontend that is not there is exit 1, one line.
    r = subprocess.run(
        [grpc_bin, "--json", "tape", "ls", "--vid", "NOPE01"], check=False, capture_output=True, text=True
    )
    assert (r.returncode, r.stdout, r.stderr.count("\n")) == (2, "", 1)
    assert "NOPE01" in r.stderr
    gone = served.write_conf(tmp_path, endpoint="localhost:1")
    r = subprocess.run(
        [grpc_bin, "--json", "--config", gone, "tape", "ls", "--all"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The listing is retried (logged as warnings, without colour codes into a pipe), then one error.
    errs = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert (r.returncode, r.stdout, len(errs)) == (1, "", 1)
    assert errs[0].startswith("error: [GRPC_UNAVAILABLE]")
    assert "\x1b[" not in r.stderr
    r = subprocess.run([grpc_bin, "--json", "--config"], check=False, capture_output=True, text=True)
    assert (r.returncode, r.stderr.strip()) == (2, "error: cta-admin-grpc: --config needs a file")


def test_expired_and_forged_tokens_are_refused(served: Served, tmp_path: Path) -> None:
    expired = served.write_conf(tmp_path, token=served.token("--expires-in", "-120"))
    with pytest.raises(errors.GrpcUnauthenticatedError, match="Token validation failed"):
        served.grpc(expired).tapes()
    forged = served.token()[:-6] + "AAAAAA"
    (tmp_path / "token").write_text(forged)
    with pytest.raises(errors.GrpcUnauthenticatedError):
        served.grpc(expired).tapes()


def test_token_file_is_reread_when_it_changes(served: Served, tmp_path: Path) -> None:
    conf = served.write_conf(tmp_path, token="not-a-jwt")  # noqa: S106 (a deliberately bad token)
    g = served.grpc(conf)
    with pytest.raises(errors.GrpcUnauthenticatedError):
        g.tapes()
    (tmp_path / "token").write_text(served.token() + "\n")
    assert len(g.tapes(vid="V00001")) == 1


def test_non_admin_is_refused(served: Served, tmp_path: Path) -> None:
    g = served.grpc(served.write_conf(tmp_path, token=served.token("--user", "intruder")))
    with pytest.raises(errors.CtaAdminUserError, match=r"intruder.*not authorized"):
        g.drive_down("anything", "x")
    with pytest.raises(errors.CtaAdminUserError, match="intruder"):
        g.tapes()


def test_krb5_needs_a_build_with_kerberos(sim: Sim, tmp_path: Path) -> None:
    """The wheel is built without the `kerberos` feature: `krb5` is one clear error."""
    conf = tmp_path / "cta-cli.conf"
    text = (sim.dir / "cta-cli.conf").read_text()
    conf.write_text(text.replace("grpc.cta_admin_auth_method jwt", "grpc.cta_admin_auth_method krb5"))
    with pytest.raises(errors.GrpcKerberosUnsupportedError, match="no Kerberos support"):
        admin.CtaAdmin(transport="grpc", config_file=conf).tapes()


def test_missing_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(errors.GrpcConfigError):
        admin.CtaAdmin(transport="grpc", config_file=tmp_path / "nope.conf")
    with pytest.raises(errors.InvalidArgumentError, match="transport"):
        admin.CtaAdmin(transport="xrootd")


def _plain_server() -> tuple[socket.socket, int]:
    """A TCP server that answers like a plaintext HTTP server (no TLS)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def answer() -> None:
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            c.recv(1024)
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            c.close()

    threading.Thread(target=answer, daemon=True).start()
    return srv, srv.getsockname()[1]


def test_a_server_without_tls_is_a_tls_error(served: Served, tmp_path: Path) -> None:
    srv, port = _plain_server()
    try:
        g = served.grpc(served.write_conf(tmp_path, endpoint=f"localhost:{port}"))
        with pytest.raises(errors.GrpcTlsError):
            g.tapes()
    finally:
        srv.close()


def test_a_certificate_for_another_host_is_a_tls_error(sim: Sim, tmp_path: Path) -> None:
    # 127.0.0.2 reaches the wildcard listener but is not in the certificate's names.
    for s in _serve(sim, "0.0.0.0:0"):
        g = s.grpc(s.write_conf(tmp_path, endpoint=f"127.0.0.2:{s.port}"))
        with pytest.raises(errors.GrpcTlsError, match=r"(?i)certificate"):
            g.tapes()
        assert len(s.grpc().tapes(vid="V00001")) == 1


def test_nothing_listening_is_unavailable(served: Served, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    g = served.grpc(served.write_conf(tmp_path, endpoint=f"localhost:{port}"))
    with pytest.raises(errors.GrpcUnavailableError):
        g.tapes()


def test_a_client_left_at_exit_does_not_hang_python(served: Served, tmp_path: Path) -> None:
    """A module-level gRPC CtaAdmin whose server went away: the interpreter still exits (it
    used to wait forever for the client's runtime threads)."""
    script = tmp_path / "leftover.py"
    script.write_text(
        "import os, signal, time\n"
        "from ctaops.admin import CtaAdmin\n"
        f"g = CtaAdmin(transport='grpc', config_file={str(served.conf)!r})\n"
        "print(len(g.tapes()))\n"
        f"os.kill({served.proc.pid}, signal.SIGTERM)\n"
        "time.sleep(0.5)\n"
    )
    r = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) > 0


def test_cta_ops_admin_goes_through_the_frontend(served: Served, tmp_path: Path) -> None:
    """cta-ops-admin on an ops config with `cta-admin_transport: grpc`: no cta-admin binary at all."""
    tape = {"cta-admin_config": str(served.conf), "cta-admin_transport": "grpc"}
    changes = {"global": {"binaries": {"cta-admin": str(tmp_path / "no-such-cta-admin")}, "tape": tape}}
    config = tmp_path / "cta-ops-config.yaml"
    config.write_text(json.dumps(deep_update(load_yaml(served.sim.dir / "cta-ops-config.yaml"), changes)))
    ops = str(Path(sys.executable).with_name("cta-ops-admin"))

    def run(*words: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ops, "-C", str(config), *words], capture_output=True, text=True, check=False)

    r = run("--json", "ta", "ls", "--vid", "V00001")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == served.spawn().tapes(vid="V00001").to_json()
    r = run("tape", "summary", "V00001")
    assert r.returncode == 0, r.stderr
    assert "Files          3 (3.0 kB), last fSeq 3" in r.stdout
    r = run("ta", "ch", "--vid", "NOPE01", "--comment", "x")
    assert (r.returncode, r.stderr.count("\n")) == (2, 1)
    assert "NOPE01" in r.stderr
