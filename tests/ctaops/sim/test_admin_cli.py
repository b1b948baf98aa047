"""`ctaops admin` for people and scripts (issue 18): tables without `--json`, CTA's JSON array
with it, a second `--json` refused, and `--dry-run` that changes nothing."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def config(sim_exe: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("admin") / "inst"
    r = subprocess.run([sim_exe, "sim", "init", str(d)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return d / "cta-ops-config.yaml"


def admin(exe: str, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [exe, "admin", "-C", str(config), *args], capture_output=True, text=True, check=False, timeout=120
    )


def tape(exe: str, config: Path, vid: str) -> dict[str, object]:
    r = admin(exe, config, "--json", "tape", "ls", "--vid", vid)
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)
    assert isinstance(row, dict)
    return row


def test_json_is_ctas_array_unchanged(sim_exe: str, config: Path) -> None:
    ours = admin(sim_exe, config, "--json", "tape", "ls", "--all")
    theirs = subprocess.run(
        [str(config.parent / "bin" / "cta-admin"), "--json", "tape", "ls", "--all"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def test_json_after_the_command_words_is_ours_too(sim_exe: str, config: Path) -> None:
    r = admin(sim_exe, config, "tape", "ls", "--all", "--json")
    assert r.returncode == 0, r.stderr
    assert [t["vid"] for t in json.loads(r.stdout)][:1] == ["V00001"]


def test_a_second_json_is_a_usage_error(sim_exe: str, config: Path) -> None:
    r = admin(sim_exe, config, "--json", "tape", "ls", "--all", "--json")
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --json given twice: ctaops admin adds it to cta-admin itself"
    assert r.stdout == ""


def test_without_json_listings_are_a_table(sim_exe: str, config: Path) -> None:
    r = admin(sim_exe, config, "tape", "ls", "--all")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = lines[0].split()
    assert header[:2] == ["vid", "mediaType"]
    assert "state" in header
    vids = [line.split()[0] for line in lines[1:]]
    assert vids == [t["vid"] for t in json.loads(admin(sim_exe, config, "--json", "tape", "ls", "--all").stdout)]
    # for people: sizes in SI units and times as dates, not CTA's raw numbers
    assert "18.0 TB" in lines[1]
    assert re.search(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b", lines[1]), lines[1]
    assert "18000000000000" not in r.stdout


def test_dry_run_prints_the_command_and_changes_nothing(sim_exe: str, config: Path) -> None:
    before = tape(sim_exe, config, "V00001")
    assert before["state"] == "ACTIVE"
    r = admin(sim_exe, config, "--dry-run", "tape", "ch", "--vid", "V00001", "--state", "DISABLED", "--reason", "x y")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "would run: cta-admin tape ch --vid V00001 --state DISABLED --reason 'x y'\n"
    assert tape(sim_exe, config, "V00001") == before
    # the same command without --dry-run does change it: the check above can fail
    done = admin(sim_exe, config, "tape", "ch", "--vid", "V00001", "--state", "DISABLED", "--reason", "x y")
    assert done.returncode == 0, done.stderr
    assert tape(sim_exe, config, "V00001")["state"] == "DISABLED"
