"""The cron examples under packaging/cron name real console scripts with options they accept."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CRON_FILES = sorted((ROOT / "packaging" / "cron").iterdir())
# Names declared under [project.scripts] (no TOML parser before Python 3.11).
_SCRIPTS_SECTION = (ROOT / "pyproject.toml").read_text().split("[project.scripts]", 1)[1].split("\n[", 1)[0]
SCRIPTS = set(re.findall(r"^([\w.-]+)\s*=", _SCRIPTS_SECTION, re.M))
BIN = Path(sys.executable).parent
ENV_LINE = re.compile(r"^[A-Z_]+=\S+$")


def cron_jobs(path: Path) -> list[tuple[str, list[str]]]:
    """(user, argv) of every job line of a cron.d file; fails on a malformed line."""
    jobs = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or ENV_LINE.match(line):
            continue
        fields = line.split()
        assert len(fields) >= 7, f"{path.name}:{number}: five time fields, a user and a command expected"
        argv = fields[6:]
        if argv[:3] == ["flock", "-n", "-E"]:  # the overlap guard: flock -n -E 0 LOCKFILE tool ...
            assert argv[3] == "0", line
            assert argv[4].startswith("/var/lib/cta-ops/"), line
            argv = argv[5:]
        jobs.append((fields[5], argv))
    return jobs


def test_every_cron_file_has_jobs() -> None:
    assert CRON_FILES
    for path in CRON_FILES:
        assert cron_jobs(path), path.name


@pytest.mark.parametrize(
    ("path", "argv"), [(p, argv) for p in CRON_FILES for _, argv in cron_jobs(p)], ids=lambda v: getattr(v, "name", "")
)
def test_job_runs_an_installed_tool_with_known_options(path: Path, argv: list[str]) -> None:
    tool = argv[0].removeprefix("$VENV/")
    assert tool in SCRIPTS, f"{path.name}: {tool} is not a console script of the wheel"
    exe = BIN / tool
    assert exe.exists(), f"{tool} is not installed next to {sys.executable} (run `make dev`)"
    help_text = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    for option in (a for a in argv[1:] if a.startswith("-")):
        assert re.search(rf"(^|[\s,\[]){re.escape(option)}\b", help_text), f"{tool} has no option {option}"
