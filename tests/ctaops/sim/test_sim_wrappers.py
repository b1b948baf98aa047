"""An instance created through the pip-installed console script gets wrappers that work."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def test_wrappers_from_console_script_run_in_the_same_venv(ctaops_script: str, tmp_path: Path) -> None:
    inst = tmp_path / "inst"
    subprocess.run([ctaops_script, "sim", "init", str(inst), "--tapes", "5"], check=True, capture_output=True)
    wrapper = (inst / "bin" / "cta-admin").read_text()
    assert "'-m' 'ctaops'" in wrapper
    cmd = [str(inst / "bin" / "cta-admin"), "--json", "tape", "ls", "--all"]
    res = subprocess.run(cmd, capture_output=True, check=False)
    assert res.returncode == 0, res.stderr
    vids = [t["vid"] for t in json.loads(res.stdout)]
    assert len(vids) == 5
