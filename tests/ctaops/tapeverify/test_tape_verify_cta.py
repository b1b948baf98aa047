"""`ctaops tape verify --cta`: the catalogue comes from cta-admin, run as the ops config says."""

from __future__ import annotations

import json
import os
import subprocess

from tests.ctaops.sim.conftest import sim_serving
from tests.ctaops.tapeverify.conftest import VERIFY_TAPE, Instance


def test_tape_verify_asks_cta_admin(inst: Instance, ctaops_native: str) -> None:
    base = [ctaops_native, "tape", "verify", "--image", str(inst.image("V00001")), "--vid", "V00001", "--cta"]
    r = subprocess.run([*base, "-C", str(inst.config), "--json"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["summary"]["counts"]["ok"] == 12
    listed = inst.sim.ls("tapefile", "ls", "--vid", "V00001")
    assert [f["archiveId"] for f in report["files"]] == [int(str(f["af"]["archiveId"])) for f in listed]

    # the config can come from $CTAOPS_CONFIG too; selections work with --cta
    env = {**os.environ, "CTAOPS_CONFIG": str(inst.config)}
    r = subprocess.run([*base, "--first", "1", "--last", "1"], capture_output=True, text=True, check=False, env=env)
    assert r.returncode == 0, r.stderr
    assert "V00001: 2 files (ok 2)" in r.stdout


def test_tape_verify_cta_errors_are_one_line(inst: Instance, ctaops_native: str, tmp_path: object) -> None:
    base = [ctaops_native, "tape", "verify", "--image", str(inst.image("V00001")), "--vid", "V00001", "--cta"]
    broken = inst.config.with_name("broken.yaml")
    broken.write_text("global:\n  binaries:\n    cta-admin: /nonexistent/cta-admin\n")
    for args, code in (
        (["-C", str(broken)], 1),
        (["-C", str(inst.config.with_name("missing.yaml"))], 1),
        (["--catalogue", "x.json", "-C", str(inst.config)], 2),
    ):
        r = subprocess.run([*base, *args], capture_output=True, text=True, check=False)
        assert r.returncode == code, (args, r.stderr)
        assert r.stderr.strip().count("\n") == 0 or code == 2, r.stderr
        assert "Traceback" not in r.stderr
        assert "panicked" not in r.stderr
    r = subprocess.run([*base, "-C", str(broken)], capture_output=True, text=True, check=False)
    assert "cta-admin" in r.stderr


def test_both_tools_run_cta_admin_with_the_configured_client_config(inst: Instance, ctaops_native: str) -> None:
    """A wrapper records cta-admin's arguments: `--config <global.tape.cta-admin_config>` is passed."""
    calls = inst.config.with_name("calls.txt")
    wrapper = inst.config.with_name("cta-admin-wrapper")
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexec {inst.sim.dir / "bin" / "cta-admin"} "$@"\n')
    wrapper.chmod(0o755)
    cli_conf = inst.config.with_name("cta-cli.conf")
    cli_conf.write_text("cta.endpoint localhost:17017\n")
    cfg = inst.derived(
        "wrapped.yaml",
        {"global": {"binaries": {"cta-admin": str(wrapper)}, "tape": {"cta-admin_config": str(cli_conf)}}},
    )
    r = subprocess.run(
        [
            ctaops_native,
            "tape",
            "verify",
            "--image",
            str(inst.image("V00001")),
            "--vid",
            "V00001",
            "--cta",
            "-C",
            str(cfg),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*VERIFY_TAPE, "-C", str(cfg), "--vid", "V00002"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    lines = calls.read_text().splitlines()
    assert lines[0] == f"--json --config {cli_conf} tapefile ls --vid V00001"
    assert f"--json --config {cli_conf} tapefile ls --vid V00002" in lines
    assert any(
        line.startswith(f"--json --config {cli_conf} tape ch --vid V00002 --verificationstatus") for line in lines
    )


def test_both_tools_go_over_grpc_when_the_config_says_so(inst: Instance, ctaops_native: str) -> None:
    """``global.tape.cta-admin_transport: grpc``: the native verifier's catalogue listing and the
    Python tool's listing and ``tape ch`` go through ``sim serve``; the configured ``cta-admin``
    does not exist, so nothing reaches the simulator another way."""
    with sim_serving(inst.sim.exe, inst.sim.dir, inst.config.with_name("serve.log")):
        tape = {"cta-admin_config": str(inst.sim.dir / "cta-cli.conf")}
        binaries = {"cta-admin": "/nonexistent/cta-admin"}
        cfg = inst.derived(
            "grpc.yaml", {"global": {"binaries": binaries, "tape": {**tape, "cta-admin_transport": "grpc"}}}
        )
        image = str(inst.image("V00001"))
        r = subprocess.run(
            [ctaops_native, "tape", "verify", "--image", image, "--vid", "V00001", "--cta", "-C", str(cfg), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["summary"]["counts"]["ok"] == 12
        r = subprocess.run(
            [*VERIFY_TAPE, "-C", str(cfg), "--vid", "V00002"], capture_output=True, text=True, check=False
        )
        assert r.returncode == 0, r.stderr
        assert inst.status("V00002") is not None
        # The same config with the transport left at its default cannot reach CTA.
        plain = inst.derived("plain.yaml", {"global": {"binaries": binaries, "tape": tape}})
        r = subprocess.run(
            [ctaops_native, "tape", "verify", "--image", image, "--vid", "V00001", "--cta", "-C", str(plain)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 1
        assert "/nonexistent/cta-admin" in r.stderr
