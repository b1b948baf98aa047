"""Every console script of the wheel, run as installed: help, version, a usage error, a closed pipe.

The list comes from ``[project.scripts]`` in pyproject.toml, so a script added there is tested
without touching this file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ctaops
from ctaops._versions import version_line

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# No TOML parser before Python 3.11: the section is simple enough to read with a pattern.
_SECTION = (ROOT / "pyproject.toml").read_text().split("[project.scripts]", 1)[1].split("\n[", 1)[0]
SCRIPTS = re.findall(r"^([\w.-]+)\s*=", _SECTION, re.M)
RUST_CLI = {"ctaops", "cta-ops-repack-manager"}
PY_SCRIPTS = [s for s in SCRIPTS if s not in RUST_CLI]
REQUIRED = {
    "cta-ops-verify-tape": ("--vid", "V00001"),
    "cta-ops-change-storage-class": ("-l", "dump.json", "-i", "eosctaops"),
    "cta-ops-change-storageclass": ("-l", "dump.json", "-i", "eosctaops"),
}
"""Options a script cannot run without (argparse reports a missing one before an unknown one)."""
LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9_-]*")


def exe(script: str) -> str:
    path = BIN / script
    assert path.exists(), f"{script} is not installed next to {sys.executable} (run `make dev`)"
    return str(path)


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe(script), *args], capture_output=True, text=True, check=False, timeout=120)


def test_the_scripts_are_found() -> None:
    assert len(PY_SCRIPTS) == 19, PY_SCRIPTS  # the 20 cta-ops-* less the Rust cta-ops-repack-manager
    assert set(SCRIPTS) >= RUST_CLI


@pytest.mark.parametrize("script", SCRIPTS)
def test_help(script: str) -> None:
    r = run(script, "--help")
    assert r.returncode == 0, r.stderr
    # argparse writes "usage:", clap "Usage:"; either way the line names the script as installed
    assert re.search(rf"(?im)^usage: {re.escape(script)}( |$)", r.stdout), r.stdout[:300]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("script", SCRIPTS)
def test_version(script: str) -> None:
    r = run(script, "--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{script} {version_line(ctaops.__version__)}\n"


@pytest.mark.parametrize("script", SCRIPTS)
def test_unknown_option_is_a_one_line_usage_error(script: str) -> None:
    r = run(script, *REQUIRED.get(script, ()), "--no-such-option")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert "--no-such-option" in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("script", SCRIPTS)
def test_closed_pipe_ends_quietly(script: str) -> None:
    """``script --help | head -0``: the reader is gone before the first byte; exit 0, nothing on stderr."""
    read, write = os.pipe()
    os.close(read)  # every write now fails with EPIPE, deterministically
    try:
        r = subprocess.run(
            [exe(script), "--help"], stdout=write, stderr=subprocess.PIPE, text=True, check=False, timeout=120
        )
    finally:
        os.close(write)
    assert (r.returncode, r.stderr) == (0, "")


@pytest.mark.parametrize("script", PY_SCRIPTS)
def test_default_paths_are_printed_whole(script: str) -> None:
    r = subprocess.run(
        [exe(script), "--help"], capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "60"}
    )
    assert "/etc/cta-ops/cta-ops-config.yaml" in r.stdout, r.stdout


@pytest.mark.parametrize("script", PY_SCRIPTS)
def test_verbose_is_dash_v_and_not_the_version(script: str) -> None:
    text = run(script, "--help").stdout
    assert re.search(r"-V, -v, --verbose", text), text
    assert "--version" in text


@pytest.mark.parametrize("script", PY_SCRIPTS)
def test_every_option_has_help_and_both_spellings(script: str) -> None:
    r = run(script, "--help")
    # argparse lists each option as "  -x, --long METAVAR  help"; one with no help has nothing after it.
    options = [line for line in r.stdout.splitlines() if re.match(r"^  -", line)]
    assert options
    for i, line in enumerate(options):
        text = line.strip()
        has_inline_help = re.search(r"\S\s{2,}\S", text) is not None
        follows = r.stdout.split(line, 1)[1].splitlines()[1:2]
        has_next_line_help = bool(follows) and follows[0].startswith(" " * 8) and not follows[0].strip().startswith("-")
        assert has_inline_help or has_next_line_help, f"{script}: option without help: {text!r} ({i})"
    names = set(LONG_OPTION.findall(r.stdout))
    for name in names:
        if "_" in name:
            assert name.replace("_", "-") in names, f"{script}: {name} has no hyphen spelling"
    # the same concept has the same name everywhere
    assert "--config-file" in names
    assert not {"--config", "--cfg", "--dryrun", "--dry_run"} & names


@pytest.mark.parametrize("script", PY_SCRIPTS)
def test_log_json_is_offered(script: str) -> None:
    assert "--log-json" in run(script, "--help").stdout
