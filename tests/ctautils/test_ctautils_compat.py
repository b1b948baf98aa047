"""`import ctautils` keeps working: every documented upstream module exists and re-exports
the ctaops implementation."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import ctaops.utils.config
import ctaops.utils.logging
import ctaops.utils.tables
import ctaops.utils.units
import ctautils
from ctautils import cmd_utils, config_holder, log_utils, table_utils

UPSTREAM = Path(__file__).resolve().parents[1] / "fixtures" / "config" / "upstream-reference.yaml"

MAPPING = {
    "cmd_utils": "ctaops.utils.cmd",
    "config_holder": "ctaops.utils.config",
    "dict_utils": "ctaops.utils.dicts",
    "log_utils": "ctaops.utils.logging",
    "mail_sender": "ctaops.utils.mail",
    "repack_utils": "ctaops.utils.repack",
    "sql_utils": "ctaops.utils.sql",
    "table_utils": "ctaops.utils.tables",
    "tape_showqueues": "ctaops.utils.showqueues",
    "yaml_loader": "ctaops.utils.config",
}


@pytest.mark.parametrize("name", sorted(MAPPING))
def test_module_reexports_ctaops(name: str) -> None:
    mod = importlib.import_module(f"ctautils.{name}")
    assert name in ctautils.__all__
    assert mod.__all__
    for attr in mod.__all__:
        obj = getattr(mod, attr)
        origin = getattr(obj, "__module__", None)
        if origin is not None and origin != "builtins":
            assert origin.startswith("ctaops."), f"{name}.{attr} comes from {origin}"


def test_documented_entry_points_are_the_same_objects() -> None:
    assert log_utils.init_logger is ctaops.utils.logging.init_logger
    assert log_utils.log_and_exit is ctaops.utils.logging.log_and_exit
    assert config_holder.load_config is ctaops.utils.config.load_config
    assert table_utils.format_table is ctaops.utils.tables.format_table
    assert cmd_utils.parse_size is ctaops.utils.units.parse_size


def test_upstream_style_script(tmp_path: Path) -> None:
    script = f"""
from ctautils.config_holder import load_config
from ctautils.log_utils import init_logger
from ctautils.cmd_utils import parse_size, format_size
from ctautils.table_utils import format_table
from ctautils.yaml_loader import load_yaml

cfg = load_config({str(UPSTREAM)!r}, tool="cta-ops-admin")
log = init_logger("cta-ops-admin", config=cfg, log_dir={str(tmp_path)!r})
size = parse_size(cfg["tools"]["cta-ops-admin"]["tape-drivetest"]["default_file_size"])
log.info("drivetest file size %s", format_size(size))
print(format_table([{{"k": "default_file_size", "v": size}}], {{"k": "Key", "v": "Bytes"}}, config=cfg))
print(sorted(load_yaml({str(UPSTREAM)!r})["tools"])[0])
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["Key                Bytes", "default_file_size  10737418240", "cta-ops-admin"]
    assert "[INFO] [<module>] drivetest file size 10G" in proc.stderr
    assert "drivetest file size 10G" in (tmp_path / "cta-ops-admin.log").read_text()
