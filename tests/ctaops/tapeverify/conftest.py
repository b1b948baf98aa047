"""Fixtures of the verification-tool tests: a simulator instance with files on two tapes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ctaops.utils.config import load_yaml
from tests.ctaops.drivetools import deep_update
from tests.ctaops.sim.conftest import Sim, sim_exe  # noqa: F401 - fixture re-exported

VERIFY_TAPE = [sys.executable, "-m", "ctaops.tapeverify.verify_tape"]
FEEDER = [sys.executable, "-m", "ctaops.tapeverify.feeder"]


@dataclass
class Instance:
    sim: Sim
    config: Path
    log_dir: Path
    state_dir: Path

    def tool(self, cmd: list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cmd, "-C", str(self.config), *map(str, args)], capture_output=True, text=True, check=False, timeout=300
        )

    def derived(self, name: str, changes: dict[str, Any]) -> Path:
        """This config with ``changes`` merged in, written beside it as ``name``."""
        path = self.config.with_name(name)
        path.write_text(json.dumps(deep_update(load_yaml(self.config), changes)))  # JSON is YAML
        return path

    def verify_tape(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return self.tool(VERIFY_TAPE, *args)

    def feeder(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return self.tool(FEEDER, *args)

    def tape(self, vid: str) -> dict[str, object]:
        return self.sim.ls("tape", "ls", "--vid", vid)[0]

    def status(self, vid: str) -> dict[str, object] | None:
        raw = self.tape(vid)["verificationStatus"]
        return json.loads(str(raw)) if raw else None

    def image(self, vid: str) -> Path:
        return self.sim.dir / "tapes" / f"{vid}.tap"


@pytest.fixture
def inst(sim_exe: str, tmp_path: Path) -> Instance:  # noqa: F811 - the imported fixture
    """V00001 holds 12 files of 300 KiB, V00002 3 files, V00003 1 file; the instance's config."""
    d = tmp_path / "inst"
    sim = Sim(sim_exe, d)
    assert sim.run("sim", "init", d).returncode == 0
    for vid, count in (("V00001", 12), ("V00002", 3), ("V00003", 1)):
        r = sim.run("sim", "archive", d, "--storageclass", "ctaops_sc", "--count", str(count), "--size", "300KiB")
        assert r.returncode == 0, r.stderr
        r = sim.run("sim", "run", d, "--until-idle")
        assert r.returncode == 0, r.stderr
        assert sim.admin("tape", "ch", "--vid", vid, "--full", "true").returncode == 0
    # The instance's own config (log and state dirs under the instance), with smaller selections.
    doc = load_yaml(d / "cta-ops-config.yaml")
    verify = doc["tools"]["cta-ops-tape-verify"]
    verify["cta-ops-verify-tape"] = {"default_first": 2, "default_last": 2, "default_random": 1}
    config = tmp_path / "cta-ops-config.yaml"
    config.write_text(re.sub(r'"(\d+)":', r"\1:", json.dumps(doc)))  # JSON is YAML
    return Instance(sim, config, Path(verify["logging"]["log_dir"]), Path(verify["state_dir"]))
