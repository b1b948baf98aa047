"""Fixtures of the verification-tool tests: a simulator instance with files on two tapes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim, sim_exe  # noqa: F401 - fixture re-exported

VERIFY_TAPE = [sys.executable, "-m", "ctaops.tapeverify.verify_tape"]
FEEDER = [sys.executable, "-m", "ctaops.tapeverify.feeder"]


@dataclass
class Instance:
    sim: Sim
    config: Path
    log_dir: Path

    def tool(self, cmd: list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cmd, "-C", str(self.config), *map(str, args)], capture_output=True, text=True, check=False, timeout=300
        )

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
    """V00001 holds 12 files of 300 KiB, V00002 3 files, V00003 1 file; a config with a log dir."""
    d = tmp_path / "inst"
    sim = Sim(sim_exe, d)
    assert sim.run("sim", "init", d).returncode == 0
    for vid, count in (("V00001", 12), ("V00002", 3), ("V00003", 1)):
        r = sim.run("sim", "archive", d, "--storageclass", "ctaops_sc", "--count", str(count), "--size", "300KiB")
        assert r.returncode == 0, r.stderr
        r = sim.run("sim", "run", d, "--until-idle")
        assert r.returncode == 0, r.stderr
        assert sim.admin("tape", "ch", "--vid", vid, "--full", "true").returncode == 0
    log_dir = tmp_path / "logs"
    config = tmp_path / "cta-ops-config.yaml"
    verify_section = (
        "  cta-ops-tape-verify:\n"
        + f"    logger:\n      log_dir: {str(log_dir)!r}\n"
        + "    cta-ops-verify-tape:\n      default_first: 2\n      default_last: 2\n      default_random: 1\n"
    )
    base = (d / "cta-ops-config.yaml").read_text()
    # The instance config may already hold a `tools:` mapping; a second one would be a duplicate key.
    if "\ntools:\n" in base:
        config.write_text(base.replace("\ntools:\n", "\ntools:\n" + verify_section, 1))
    else:
        config.write_text(base + "tools:\n" + verify_section)
    return Instance(sim, config, log_dir)
