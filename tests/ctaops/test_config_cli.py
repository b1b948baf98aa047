"""`ctaops config check|show` (issue 18): the typed model is the one key inventory, typos are
caught with a suggestion, every default is shown with its source, the template carries every key."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ctaops.atresys.settings import Settings
from ctaops.errors import ConfigError
from ctaops.utils.config import load_config
from ctaops.utils.logging import tool_log_dir

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "packaging" / "cta-ops-config.yaml"
PY = REPO / "python" / "ctaops"


def ctaops(exe: str, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "CTAOPS_CONFIG"}
    full_env.update(env or {})
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, check=False, env=full_env)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cta-ops-config.yaml"
    path.write_text(text)
    return path


def shown(exe: str, *args: str | Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    r = ctaops(exe, "config", "show", "--sources", "--json", *args, env=env)
    assert r.returncode == 0, r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


# --- config check ---------------------------------------------------------------------------


def test_a_near_miss_of_a_known_key_is_an_error_with_a_suggestion(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "tools:\n  cta-ops-repack-automation:\n    quarantine_dayz: 3\n")
    r = ctaops(ctaops_native, "config", "check", "-C", cfg)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines == [
        f"error: {cfg}: tools.cta-ops-repack-automation.quarantine_dayz: unknown key, did you mean `quarantine_days`?"
    ]
    assert "OK" not in r.stdout


def test_site_extensions_warn_and_strict_makes_them_errors(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "global:\n  my_site_flag: 1\ntools:\n  my-site-tool: {a: 1}\n")
    r = ctaops(ctaops_native, "config", "check", "-C", cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{cfg}: OK\n"
    warnings = r.stderr.strip().splitlines()
    assert len(warnings) == 2
    assert all(w.startswith(f"warning: {cfg}: ") for w in warnings)
    assert "global.my_site_flag" in warnings[0]
    assert "tools.my-site-tool" in warnings[1]
    strict = ctaops(ctaops_native, "config", "check", "--strict", "-C", cfg)
    assert strict.returncode == 1
    assert strict.stderr.strip().splitlines() == [
        f"error: {cfg}: global.my_site_flag: unknown key (--strict)",
        f"error: {cfg}: tools.my-site-tool: unknown key (--strict)",
    ]


def test_documented_ctaops_keys_are_known(ctaops_native: str, tmp_path: Path) -> None:
    # Each of these was called "not used" before the keys moved into the model.
    cfg = write(
        tmp_path,
        "tools:\n  cta-ops-repack-automation:\n"
        "    database: {backend: sqlite, path: /x.db, sslmode: require, sslrootcert: /ca, password_file: /p}\n"
        "    lease_seconds: 60\n    quarantine_pool: q\n    email_errors: true\n    timeout: 30\n"
        "    cta-ops-repack-monitor: {prometheus_out: /m.prom}\n"
        "  cta-ops-tape-verify: {state_dir: /s, cta-ops-verify-tape: {default_first: 3}}\n"
        "  ctaops-smc: {library_state: lib.json}\n",
    )
    r = ctaops(ctaops_native, "config", "check", "--strict", "-C", cfg)
    assert (r.returncode, r.stderr) == (0, "")


def test_a_wrong_type_is_one_line_naming_file_and_key(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "tools:\n  cta-ops-repack-automation:\n    lease_seconds: soon\n")
    r = ctaops(ctaops_native, "config", "check", "-C", cfg)
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1
    assert f"{cfg}" in r.stderr
    assert "tools.cta-ops-repack-automation.lease_seconds" in r.stderr


# --- quarantine_days: fractions on both sides -------------------------------------------------


def test_quarantine_days_takes_fractions_in_rust_and_python(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "tools:\n  cta-ops-repack-automation:\n    quarantine_days: 0.5\n")
    assert ctaops(ctaops_native, "config", "check", "--strict", "-C", cfg).returncode == 0
    key = "tools.cta-ops-repack-automation.quarantine_days"
    assert shown(ctaops_native, "-C", cfg)[key] == {"value": 0.5, "source": str(cfg)}
    assert Settings.from_config(load_config(cfg, tool="cta-ops-repack-automation")).quarantine_days == 0.5


def test_negative_quarantine_days_is_refused_in_rust_and_python(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "tools:\n  cta-ops-repack-automation:\n    quarantine_days: -1\n")
    r = ctaops(ctaops_native, "config", "check", "-C", cfg)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1
    assert "quarantine_days" in r.stderr
    assert "non-negative" in r.stderr
    with pytest.raises(ConfigError, match="quarantine_days"):
        Settings.from_config(load_config(cfg, tool="cta-ops-repack-automation"))


# --- config show ------------------------------------------------------------------------------


def test_show_sources_names_file_default_and_environment(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "global:\n  table_format: grid\n")
    by_env = shown(ctaops_native, env={"CTAOPS_CONFIG": str(cfg)})
    assert by_env["global.table_format"] == {"value": "grid", "source": f"$CTAOPS_CONFIG ({cfg})"}
    assert by_env["tools.cta-ops-repack-automation.lease_seconds"] == {"value": 3600, "source": "default"}
    explicit = shown(ctaops_native, "-C", cfg)
    assert explicit["global.table_format"]["source"] == str(cfg)
    text = ctaops(ctaops_native, "config", "show", "--sources", "-C", cfg, "--key", "global.table_format")
    assert text.stdout == f"global.table_format: grid  # {cfg}\n"


def test_show_fills_in_every_tool_default(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "{}\n")
    r = ctaops(ctaops_native, "config", "show", "--json", "-C", cfg)
    doc = json.loads(r.stdout)
    assert doc["tools"]["cta-ops-pool-supply"]["timeout"] == 10
    assert doc["tools"]["cta-ops-tape-verify"]["cta-ops-verify-tape"]["default_first"] == 10


def test_show_unknown_key_is_one_line(ctaops_native: str, tmp_path: Path) -> None:
    cfg = write(tmp_path, "{}\n")
    r = ctaops(ctaops_native, "config", "show", "--sources", "-C", cfg, "--key", "global.nope")
    assert r.returncode == 1
    assert r.stderr.strip() == "error: no key global.nope in the configuration"


# --- the keys Python reads are the keys the model knows ---------------------------------------


class Recorder(Mapping[str, Any]):
    """An empty config section that remembers every key read from it (sub-sections included)."""

    def __init__(self, at: str, seen: set[str]) -> None:
        self.at, self.seen = at, seen

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.seen.add(f"{self.at}.{key}")
        return Recorder(f"{self.at}.{key}", self.seen) if default is None else default

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True


class RecordingConfig:
    def __init__(self, seen: set[str]) -> None:
        self.tool_section = Recorder("tools.cta-ops-repack-automation", seen)
        # the log directory is derived from the global one (ctaops.utils.logging.tool_log_dir)
        self.logging = SimpleNamespace(log_dir="/var/log/cta-ops/")

    def get_path(self, dotted: str, default: Any = None) -> Any:
        return default


def keys_python_reads() -> set[str]:
    """Dotted keys the Python tools read: ATRESYS through a recording section, the others from
    their `tool_value`/`setting`/`section.get` calls and `DEFAULTS` tables."""
    seen: set[str] = set()
    Settings.from_config(RecordingConfig(seen))  # type: ignore[arg-type]
    from ctaops.tapeverify import feeder, verify_tape  # noqa: PLC0415

    verify = "tools.cta-ops-tape-verify.cta-ops-verify-tape"
    feed = "tools.cta-ops-tape-verify.cta-ops-verification-feeder"
    admin = "tools.cta-ops-admin"  # the handler sections; the command table below it stays raw
    seen |= {f"{verify}.{k}" for k in verify_tape.DEFAULTS}
    seen |= {f"{feed}.{k}" for k in feeder.DEFAULTS}
    calls = re.compile(r"""(?:tool_value|setting)\((?:cfg, )?"(\w+)"|section\.get\("(\w+)"\)""")
    sections = {
        "drive_config.py": ["tools.cta-ops-drive-config-generate"],
        "drive_env.py": ["tools.cta-ops-drive-environmentals"],
        "poolsupply/cli.py": ["tools.cta-ops-pool-supply"],
        "opsadmin/cli.py": [f"{admin}.tape-summary", f"{admin}.tape-label"],  # every handler's `debug`
        "opsadmin/handlers/_library.py": [f"{admin}.tape-location", f"{admin}.tape-unmount"],
        "opsadmin/handlers/tape_drivetest.py": [f"{admin}.tape-drivetest"],
        "opsadmin/handlers/tape_export.py": [f"{admin}.tape-export"],
        "opsadmin/handlers/tape_label.py": [f"{admin}.tape-label"],
        "opsadmin/handlers/tape_location.py": [f"{admin}.tape-location"],
        "opsadmin/handlers/tape_mediacheck.py": [f"{admin}.tape-mediacheck"],
        "opsadmin/handlers/tape_summary.py": [f"{admin}.tape-summary"],
        "library.py": ["tools.ctaops-smc"],
        "localdrives.py": ["tools.ctaops-smc"],
        "tapeverify/common.py": [verify, feed],
        "tapeverify/verify_tape.py": [verify],
        "tapeverify/feeder.py": [feed],
    }
    for module, where in sections.items():
        for a, b in calls.findall((PY / module).read_text()):
            seen |= {f"{w}.{a or b}" for w in where}
    return seen


def test_config_knows_every_key_the_python_tools_read(ctaops_native: str, tmp_path: Path) -> None:
    read = keys_python_reads()
    # the collection itself must have found the ATRESYS additions and the tape-verify settings
    assert "tools.cta-ops-repack-automation.lease_seconds" in read
    assert "tools.cta-ops-repack-automation.cta-ops-repack-monitor.prometheus_out" in read
    assert "tools.cta-ops-tape-verify.cta-ops-verify-tape.state_dir" in read
    assert "tools.ctaops-smc.library_state" in read
    known = shown(ctaops_native, "-C", write(tmp_path, "{}\n"))
    leaves_and_sections = set(known) | {k.rsplit(".", 1)[0] for k in known}
    assert sorted(read - leaves_and_sections) == []


# --- the packaged template --------------------------------------------------------------------


def test_template_validates_strictly(ctaops_native: str) -> None:
    r = ctaops(ctaops_native, "config", "check", "--strict", "-C", TEMPLATE)
    assert (r.returncode, r.stderr) == (0, "")


def test_template_writes_every_key_of_the_model(ctaops_native: str, tmp_path: Path) -> None:
    model = shown(ctaops_native, "-C", write(tmp_path, "{}\n"))
    template = shown(ctaops_native, "-C", TEMPLATE)
    missing = sorted(k for k in model if template.get(k, {}).get("source") != str(TEMPLATE))
    assert missing == []


def test_tool_log_dirs_follow_a_moved_global_log_dir(exe: str, tmp_path: Path) -> None:
    """`config show` and the Python tools agree on where ATRESYS and verification logs go."""
    conf = tmp_path / "c.yaml"
    conf.write_text("global:\n  logging:\n    log_dir: /srv/log\n")
    cfg = load_config(conf, tool="cta-ops-repack-automation")
    shown = ctaops(exe, "config", "show", "-C", conf, "--tool", "cta-ops-repack-automation", "--key", "logging.log_dir")
    assert shown.stdout.strip() == "/srv/log/repack/" == tool_log_dir(cfg, "cta-ops-repack-automation", "repack")
    # The tool's defaults are filled in for upstream-style code, unset optional keys left out.
    assert cfg.tool["quarantine_days"] == 31
    assert "timeout" not in cfg.tool
