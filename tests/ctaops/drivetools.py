"""Helpers of the drive-tool tests: a simulator instance's library and the console scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctaops.utils.config import load_yaml


def deep_update(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` into ``doc`` key by key (mappings recursively); returns ``doc``."""
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(doc.get(k), dict):
            deep_update(doc[k], v)
        else:
            doc[k] = v
    return doc


@dataclass
class SimLibrary:
    exe: str
    dir: Path

    @property
    def config(self) -> Path:
        return self.dir / "cta-ops-config.yaml"

    @property
    def state(self) -> Path:
        return self.dir / "library" / "ctaops_lib1.json"

    def derived(self, name: str, changes: dict[str, Any]) -> Path:
        """The instance's config with ``changes`` merged in, written beside it as ``name``."""
        path = self.dir / name
        path.write_text(json.dumps(deep_update(load_yaml(self.config), changes)))  # JSON is YAML
        return path

    def fault(self, *args: str) -> None:
        subprocess.run([self.exe, "smc", "emulated", "fault", str(self.state), *args], check=True)

    def smc(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.exe, "smc", "-C", str(self.config), *args], capture_output=True, text=True, check=False
        )


def sim_library(exe: str, where: Path) -> SimLibrary:
    d = where / "inst"
    r = subprocess.run([exe, "sim", "init", str(d)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return SimLibrary(exe, d)


def tool(name: str, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run an installed console script (from this interpreter's environment)."""
    script = Path(sys.executable).with_name(name)
    assert script.exists(), f"{name} is not installed (run `make dev`)"
    return subprocess.run(
        [str(script), *map(str, args)], capture_output=True, text=True, check=False, timeout=120, env=env
    )


def one_error_line(stderr: str, prog: str) -> str:
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"{prog}: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]
