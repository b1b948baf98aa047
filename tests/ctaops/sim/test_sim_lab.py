"""The lab `ctaops sim init` sets up (issue 16): every ops tool runs against the instance with
`-C DIR/cta-ops-config.yaml` and nothing else, and writes nothing outside DIR."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ctaops.utils.config import load_yaml

from .conftest import REPO, Sim

# Paths the upstream defaults name; a tool that fell back to one of them would touch it.
SYSTEM_PATHS = ("/var/log/cta-ops", "/var/lib/cta-ops", "/etc/cta-ops", "/tmp/tape-label.lock", "/etc/facter")


def console_scripts() -> list[str]:
    """Every console script `pyproject.toml` installs (all of them take `-C`)."""
    text = (REPO / "pyproject.toml").read_text()
    section = text.split("[project.scripts]\n", 1)[1].split("\n[", 1)[0]
    return sorted(re.findall(r"^([\w.-]+)\s*=", section, flags=re.M))


def strings(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, value) of every string in a YAML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings(v, f"{where}[{i}]")
    elif isinstance(node, str):
        yield where, node


def snapshot(path: str) -> tuple[bool, float]:
    p = Path(path)
    return (p.exists(), p.stat().st_mtime if p.exists() else 0.0)


class Lab:
    def __init__(self, sim: Sim, tmp: Path) -> None:
        self.sim = sim
        self.config = sim.dir / "cta-ops-config.yaml"
        self.home = tmp / "home"
        self.tmpdir = tmp / "tmp"
        self.cwd = tmp / "cwd"
        for d in (self.home, self.tmpdir, self.cwd):
            d.mkdir()
        # Nothing but the config: no $CTAOPS_CONFIG, an empty HOME and TMPDIR, another working dir.
        self.env = {k: v for k, v in os.environ.items() if k != "CTAOPS_CONFIG"}
        self.env.update(HOME=str(self.home), TMPDIR=str(self.tmpdir))
        self.ran: set[str] = set()

    def run(self, script: str, *args: str | Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        """An installed console script, with `-C` (placed by the caller for `ctaops`)."""
        self.ran.add(script)
        exe = Path(sys.executable).with_name(script)
        assert exe.exists(), f"{script} is not installed (run `make dev`)"
        argv = [str(exe), *map(str, args)]
        if script != "ctaops":
            argv[1:1] = ["-C", str(self.config)]
        r = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300, env=self.env, cwd=self.cwd)
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode in ok, (argv, r.returncode, r.stdout, r.stderr)
        return r

    def sim_cmd(self, *args: str | Path) -> None:
        r = self.sim.run("sim", *args, env=self.env)
        assert r.returncode == 0, r.stderr


def run_pool_supply(lab: Lab, d: Path) -> None:
    """Pool supply: its log and lock under the instance's log_dir, its metrics where the config says."""
    supplied = lab.run("cta-ops-pool-supply", "--json")
    assert {p["pool"] for p in json.loads(supplied.stdout)["pools"]} == {"ctaops_user", "ctaops_repack"}
    assert (d / "metrics" / "pool-supply.prom").stat().st_size > 0


def run_eos_tools(lab: Lab, d: Path) -> None:
    """The EOS tools against `sim serve-eos`: the keytab and journal the config names, under DIR."""
    serve = subprocess.Popen(
        [lab.sim.exe, "sim", "serve-eos", str(d)], stdout=subprocess.PIPE, text=True, env=lab.env, cwd=lab.cwd
    )
    try:
        assert serve.stdout is not None
        assert serve.stdout.readline().startswith("listening on ")
        path = lab.run("cta-ops-get-path-from-eos", "--archive-id", "1").stdout
        assert path == "1 /eos/eosctaops/ctaops/file1\n"
        dump = d / "eos-dump.json"
        dump.write_text('{"fid": 4000000001, "archiveFileId": "1", "storageclass": "ctaops_sc"}\n')
        lab.run("cta-ops-change-storage-class", "-l", dump, "-i", "eosctaops", "--check")
        lab.run("cta-ops-change-storageclass", "-l", dump, "-i", "eosctaops")
        assert list((d / "log" / "eos" / "state").glob("*.journal"))
    finally:
        serve.terminate()
        assert serve.wait(timeout=30) == 0
        if serve.stdout is not None:
            serve.stdout.close()


def test_every_tool_runs_on_the_config_sim_init_writes(sim: Sim, tmp_path: Path) -> None:  # noqa: PLR0915  (one walk through every tool)
    before = {p: snapshot(p) for p in SYSTEM_PATHS}
    lab = Lab(sim, tmp_path)
    d = sim.dir
    doc = load_yaml(lab.config)
    # Every absolute path the config names (binaries, logs, databases, outputs) is under DIR.
    paths = {k: v.split()[0] for k, v in strings(doc) if v.startswith("/")}
    assert len(paths) > 25
    outside = {k: v for k, v in paths.items() if not Path(v).is_relative_to(d)}
    assert outside == {}

    # Files on one tape, which is then full: something for verification and ATRESYS to act on.
    lab.sim_cmd("archive", d, "--storageclass", "ctaops_sc", "--count", "3", "--size", "300K")
    lab.sim_cmd("run", d, "--until-idle")
    [vid] = [str(t["vid"]) for t in sim.ls("tape", "ls", "--all") if int(str(t["lastFseq"])) > 0]
    assert sim.admin("tape", "ch", "--vid", vid, "--full", "true").returncode == 0

    # ctaops itself: the config is valid, its cta-admin and changer are the instance's.
    lab.run("ctaops", "config", "check", "-C", lab.config)
    tapes = json.loads(lab.run("ctaops", "admin", "-C", lab.config, "--json", "--", "tape", "ls", "--all").stdout)
    assert vid in {t["vid"] for t in tapes}
    assert lab.run("ctaops", "smc", "-C", lab.config, "-q", "D").stdout.strip()

    # cta-ops-admin: the pass-through and the handlers that read CTA and the library.
    assert vid in lab.run("cta-ops-admin", "ta", "ls", "--all").stdout
    summary = lab.run("cta-ops-admin", "tape", "summary", vid).stdout
    assert f"Tape {vid}" in summary
    assert "Location       slot" in summary

    # Verification: submitted through the instance's cta-verify-file, closed by the feeder.
    lab.run("cta-ops-verify-tape", "--vid", vid)
    verify = doc["tools"]["cta-ops-tape-verify"]
    assert (Path(verify["state_dir"]) / f"{vid}.json").exists()
    lab.run("cta-ops-verification-feeder", "--maxverify", "0")
    [tape] = sim.ls("tape", "ls", "--vid", vid)
    assert json.loads(str(tape["verificationStatus"]))["status"] == "done"
    for tool in ("cta-ops-verify-tape", "cta-ops-verification-feeder"):
        assert (Path(verify["logging"]["log_dir"]) / f"{tool}.log").exists()

    # ATRESYS: the pools and mount policies it needs exist, then one tape goes all the way round.
    lab.run("cta-ops-repack-manager", "db", "upgrade")
    checks = lab.run("cta-ops-repack-manager", "check-env").stdout
    assert "missing" not in checks
    for step in ("0-scan", "1-prepare", "2-start"):
        lab.run(f"cta-ops-repack-{step}")
    assert [r["vid"] for r in sim.ls("repack", "ls")] == [vid]
    lab.sim_cmd("run", d, "--until-idle")
    for step in ("3-end", "4-quarantine", "5-reclaim"):
        lab.run(f"cta-ops-repack-{step}")
    lab.sim_cmd("run", d, "--for", "1s", "--speed", str(40 * 86400 * 5))  # past CTA's recycle-log quarantine
    for step in ("5-reclaim", "6-finish", "monitor"):
        lab.run(f"cta-ops-repack-{step}")
    assert sim.ls("tape", "ls", "--vid", vid)[0]["tapepool"] == "tolabel_LIB1"
    assert "finished" in lab.run("cta-ops-repack-manager", "ls").stdout
    atresys = doc["tools"]["cta-ops-repack-automation"]
    assert Path(atresys["database"]["path"]).stat().st_size > 0
    assert list(Path(atresys["cta-ops-repack-2-start"]["existing_files_on_tape"]).parent.glob(f"*{vid}*"))
    for key in ("ls_out", "prometheus_out"):
        assert Path(atresys["cta-ops-repack-monitor"][key]).stat().st_size > 0
    assert Path(atresys["cta-ops-repack-3-end"]["repack-end-json-path"]).stat().st_size > 0

    # Drive tools: the instance's changer, its library export, its output files.
    facts = Path(doc["global"]["tape"]["drive_facts"])
    lab.run("cta-ops-drive-config-generate", "--use-legacy-mapping", "--output-file", facts)
    drives = json.loads(facts.read_text())["tape_drives"]
    assert [(x["DriveName"], x["DriveLogicalLibrary"]) for x in drives] == [
        ("CTAOPSLIB1-LTO9-F1C1R1", "ctaops_lib1"),
        ("CTAOPSLIB1-LTO9-F1C1R2", "ctaops_lib1"),
    ]
    lab.run("cta-ops-drive-environmentals")
    assert Path(doc["tools"]["cta-ops-drive-environmentals"]["output_file"]).read_text().count("\n") >= 2
    lab.run("cta-ops-tape-alerting")
    run_pool_supply(lab, d)
    run_eos_tools(lab, d)
    # Data monitoring: the sessions above from the instance's taped log, as points (a dry run: the
    # lab's InfluxDB at 127.0.0.1:8086 is the operator's to start).
    points = lab.run("cta-ops-data-monitoring", "--taped-logs", d / "log" / "cta" / "cta-taped.log", "--dry-run").stdout
    assert "\ndownsampled_ctataped_tapeSessionFinished,drive=" in points

    assert lab.ran >= set(console_scripts())
    # Nothing was written outside DIR: not in HOME, TMPDIR or the working directory, and none of
    # the upstream default locations appeared or changed.
    for scratch in (lab.home, lab.tmpdir, lab.cwd):
        assert list(scratch.rglob("*")) == [], scratch
    assert {p: snapshot(p) for p in SYSTEM_PATHS} == before
    # The tools' logs went where the config says.
    assert list((d / "log").rglob("*.log"))


def test_a_relative_instance_dir_gives_absolute_client_paths(sim_exe: str, tmp_path: Path) -> None:
    """`sim init rel` and `sim serve rel` write absolute paths, so a gRPC client started from any
    directory reaches the frontend (a relative DIR in cta-cli.conf broke every such client)."""
    r = subprocess.run([sim_exe, "sim", "init", "rel"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    d = tmp_path / "rel"
    for line in (d / "cta-cli.conf").read_text().splitlines():
        if line.startswith("grpc.") and "_path " in line:
            assert Path(line.split()[1]).is_absolute(), line
    assert f"'{d}'" in (d / "bin" / "cta-admin").read_text()
    serve = subprocess.Popen(
        [sim_exe, "sim", "serve", "rel", "--listen", "127.0.0.1:0"], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    try:
        assert serve.stdout is not None
        assert serve.stdout.readline().startswith("listening on ")
        conf = (d / "cta-cli.conf").read_text()
        paths = [ln.split()[1] for ln in conf.splitlines() if ln.startswith("grpc.") and "_path " in ln]
        assert paths
        assert all(Path(p).is_absolute() for p in paths), conf
        cfg = str(d / "cta-ops-config.yaml")
        r = subprocess.run(
            [sim_exe, "admin", "-C", cfg, "--transport", "grpc", "--json", "--", "tape", "ls", "--all"],
            cwd="/", capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert '"vid":"V00001"' in r.stdout
    finally:
        serve.terminate()
        assert serve.wait(timeout=30) == 0
        if serve.stdout is not None:
            serve.stdout.close()
