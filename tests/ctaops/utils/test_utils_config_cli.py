"""`ctaops config check|show|path`: the Rust CLI reading the same config file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT / "tests" / "fixtures" / "config" / "upstream-reference.yaml"
TEMPLATE = ROOT / "packaging" / "cta-ops-config.yaml"
CTAOPS = str(Path(sys.executable).with_name("ctaops"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CTAOPS, "config", *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("path", [UPSTREAM, TEMPLATE])
def test_check_accepts_reference_and_template(path: Path) -> None:
    proc = run("check", "-C", str(path), "--tool", "cta-ops-repack-automation")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{path}: OK\n"
    # the reconstruction's anchor holder is the only key ctaops does not know
    expected = (
        f"warning: {path}: global_fragment_1: site extension (kept, not used by ctaops)\n" if path == UPSTREAM else ""
    )
    assert proc.stderr == expected


def test_check_refuses_a_misspelt_key(tmp_path: Path) -> None:
    # a near miss of a known key is an error with a suggestion (docs/conventions.md, "Configuration")
    cfg = tmp_path / "typo.yaml"
    cfg.write_text("global:\n  logging:\n    rotation_max_sise: 2G\n")
    proc = run("check", "-C", str(cfg))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        f"error: {cfg}: global.logging.rotation_max_sise: unknown key, did you mean `rotation_max_size`?\n"
    )


def test_check_reports_key_and_file_on_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("global:\n  logging:\n    rotation_keep_files: five\n")
    proc = run("check", "--config-file", str(bad))
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {bad}: global.logging.rotation_keep_files: ")


def test_check_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("global: [\n")
    proc = run("check", "-C", str(bad))
    assert proc.returncode == 1
    assert "line" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("check", "-C", str(tmp_path / "none.yaml"))
    assert proc.returncode == 1
    assert "none.yaml" in proc.stderr
    assert run("check", "--no-such-flag").returncode == 2


def test_show_key_and_tool_view() -> None:
    proc = run("show", "-C", str(UPSTREAM), "--key", "global.binaries.cta-admin")
    assert proc.returncode == 0
    assert proc.stdout.strip() == "/usr/bin/cta-admin"
    proc = run("show", "-C", str(UPSTREAM), "--tool", "cta-ops-repack-automation", "--key", "logging", "--json")
    assert json.loads(proc.stdout)["log_dir"] == "/var/log/cta-ops/repack/"
    assert json.loads(proc.stdout)["rotation_keep_files"] == 5
    proc = run("show", "-C", str(UPSTREAM), "--key", "global.nope")
    assert proc.returncode == 1
    assert "global.nope" in proc.stderr


def test_path_follows_env(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("")
    env = {"CTAOPS_CONFIG": str(cfg), "PATH": "/usr/bin:/bin"}
    assert run("path", env=env).stdout == f"{cfg}\n"
    assert run("path", "-C", str(UPSTREAM), env=env).stdout == f"{UPSTREAM}\n"
