"""The README's quick tour runs as written, line by line, in an empty directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tour() -> list[str]:
    """The command lines of the first ``sh`` block after "## Quick tour"."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Quick tour") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the quick tour has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_quick_tour_runs_as_written(tmp_path: Path) -> None:
    lines = tour()
    assert len(lines) >= 15
    bin_dir = Path(sys.executable).parent  # the venv's console scripts
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path)}
    env.pop("CTAOPS_CONFIG", None)
    for line in lines:
        r = subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        assert r.returncode == 0, f"{line}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr, line
    # Everything the tour made is under ./lab (no stray files beside it, nothing in HOME).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lab"]
