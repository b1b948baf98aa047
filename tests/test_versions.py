"""One source for the CTA versions: ``python/ctaops/cta_versions.txt``, read by the Rust binary,
the Python scripts, the RPM spec and the docs table."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

import ctaops
from ctaops import _versions

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release" / "ctaops"


def test_this_version_has_a_row_and_the_workspace_agrees() -> None:
    m = re.search(r'(?ms)^\[workspace\.package\].*?^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text())
    assert m is not None
    workspace = m.group(1)
    assert ctaops.__version__ == workspace
    row = _versions.current(workspace)
    assert row is not None, "cta_versions.txt has no row for the workspace version"
    assert re.fullmatch(r"\d+\.\d+", row.ctaops)


def test_rust_and_python_print_the_same_line() -> None:
    rust = subprocess.run([str(EXE), "--version"], capture_output=True, text=True, check=True).stdout
    assert rust == f"ctaops {_versions.version_line(ctaops.__version__)}\n"
    row = _versions.current(ctaops.__version__)
    assert row is not None
    assert f"tested with CTA {row.cta_from} to {row.cta_to}" in rust


def test_the_rpm_requires_the_cta_cli_range_of_the_table() -> None:
    spec = (ROOT / "packaging" / "rpm" / "ctaops.spec").read_text()
    row = _versions.current(ctaops.__version__)
    assert row is not None
    assert re.search(rf"(?m)^%global cta_min {re.escape(row.cta_cli_min)}$", spec)
    assert re.search(rf"(?m)^%global cta_next {re.escape(row.cta_cli_below)}$", spec)


def test_a_malformed_row_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_versions, "table_text", lambda: "# c\n0.1 5.10 5.11\n")
    with pytest.raises(ValueError, match="expected 5 fields"):
        _versions.rows()
