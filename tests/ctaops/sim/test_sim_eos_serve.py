"""``ctaops sim serve``'s EOS HTTPS interface and Prometheus ``/metrics`` (checked with ``promtool``)."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import sim_serving

NAMES = [
    "ctaops_sim_tapes",
    "ctaops_sim_drives",
    "ctaops_sim_archive_queue_files",
    "ctaops_sim_retrieve_queue_files",
    "ctaops_sim_archive_files",
    "ctaops_sim_archived_bytes",
    "ctaops_sim_disk_files",
    "ctaops_sim_eos_requests_total",
]


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - a local http:// URL from serve.json
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return str(r.read().decode())


def eos_get(base: str, token: str, ca: Path, query: str) -> tuple[int, dict[str, object]]:
    req = urllib.request.Request(f"{base}/proc/user/?{query}", headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - https from serve.json
    ctx = ssl.create_default_context(cafile=str(ca))
    try:
        with urllib.request.urlopen(req, timeout=30, context=ctx) as r:  # noqa: S310 - https from serve.json
            return int(r.status), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return int(e.code), json.loads(e.read())


def test_serve_runs_grpc_eos_and_metrics(sim_exe: str, tmp_path: Path) -> None:
    inst = tmp_path / "inst"
    subprocess.run([sim_exe, "sim", "init", str(inst)], check=True, capture_output=True)
    out = subprocess.run(
        [sim_exe, "sim", "archive", str(inst), "--storageclass", "ctaops_sc", "--count", "2", "--size", "4k"],
        check=True,
        capture_output=True,
        text=True,
    )
    ids = json.loads(out.stdout)["archiveIds"]
    subprocess.run([sim_exe, "sim", "run", str(inst)], check=True, capture_output=True)
    keytab = inst / "eos.rest.keytab.yaml"
    assert keytab.stat().st_mode & 0o777 == 0o600
    with sim_serving(sim_exe, inst, tmp_path / "serve.log") as serving:
        ends = json.loads((inst / "serve.json").read_text())
        assert ends["grpc"] == f"localhost:{serving.port}"
        base = ends["eos"]["eosctaops"]
        port = int(base.rsplit(":", 1)[1])
        text = keytab.read_text()
        assert f"port: {port}" in text
        token = next(line.split('"')[1] for line in text.splitlines() if line.strip().startswith("token:"))
        ca = inst / "grpc" / "ca.pem"
        fid = ids[0] + 4_000_000_000
        status, doc = eos_get(base, token, ca, f"mgm.cmd=fileinfo&mgm.path=fxid:{fid:x}&mgm.format=json")
        assert (status, doc["path"], doc["xattr"]) == (
            200,
            f"/eos/eosctaops/ctaops/file{ids[0]}",
            {"sys.archive.file_id": str(ids[0]), "sys.archive.storage_class": "ctaops_sc"},
        )
        assert eos_get(base, "wrong", ca, "mgm.cmd=fileinfo&mgm.path=fid:1")[0] == 403
        assert eos_get(base, "", ca, "mgm.cmd=fileinfo&mgm.path=fid:1")[0] == 403
        assert eos_get(base, token, ca, "mgm.cmd=fileinfo&mgm.path=fid:1")[1]["retc"] == 2

        metrics = scrape(ends["metrics"])
        for name in NAMES:
            assert f"# TYPE {name} " in metrics, name
            assert f"# HELP {name} " in metrics, name
        assert "ctaops_sim_archive_files 2\n" in metrics
        assert "ctaops_sim_archived_bytes 8192\n" in metrics
        assert 'ctaops_sim_disk_files{disk_instance="eosctaops"} 2\n' in metrics
        assert 'ctaops_sim_tapes{state="ACTIVE"} 10\n' in metrics
        assert 'ctaops_sim_drives{status="Free"} 2\n' in metrics
        assert 'ctaops_sim_eos_requests_total{disk_instance="eosctaops",code="200"} 2\n' in metrics
        assert 'ctaops_sim_eos_requests_total{disk_instance="",code="403"} 2\n' in metrics
        promtool = shutil.which("promtool")
        if promtool is None:
            pytest.skip("promtool is not installed")
        r = subprocess.run([promtool, "check", "metrics"], input=metrics, capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stdout + r.stderr
    assert not (inst / "serve.json").exists()
