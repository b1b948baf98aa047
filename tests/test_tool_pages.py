"""The tool pages (docs/tools/): one per console script, their options blocks current, the sections
an operator looks for present, and every example block running as written on the simulator."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "docs" / "tools"
GEN = ROOT / "scripts" / "gen_tool_pages.py"
BIN = Path(sys.executable).parent
SECTIONS = (
    r"## How (it is|they are) run",
    "## Examples",
    "## Exit codes",
    "## What it changes in CTA",
    "## Dry run and safety",
    "## Options",
)


def gen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GEN), *args], capture_output=True, text=True, check=False)


def console_scripts() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    section = text[text.index("[project.scripts]") :].split("\n[", 1)[0]
    return dict(re.findall(r'(?m)^([\w.-]+)\s*=\s*"([\w.:]+)"', section))


def tool_pages() -> list[Path]:
    return sorted(p for p in TOOLS.glob("*.md") if p.name != "index.md")


def section(text: str, heading: str) -> str:
    m = re.search(rf"(?ms)^{re.escape(heading)}\n(.*?)(?=^## |\Z)", text)
    assert m is not None, heading
    return m.group(1)


def test_the_generated_blocks_are_current_and_every_script_has_its_page() -> None:
    r = gen("--check")
    assert r.returncode == 0, r.stderr


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    copy = tmp_path / "tools"
    shutil.copytree(TOOLS, copy)
    return copy


def test_check_names_a_stale_page_and_regenerating_fixes_it(pages: Path) -> None:
    page = pages / "cta-ops-pool-supply.md"
    text = page.read_text()
    page.write_text(text.replace("only refill these pools", "only refill those pools"))
    r = gen("--check", "--pages", str(pages))
    assert r.returncode == 1
    assert "cta-ops-pool-supply.md: generated options block is stale" in r.stderr
    assert gen("--pages", str(pages)).returncode == 0
    assert page.read_text() == text
    assert gen("--check", "--pages", str(pages)).returncode == 0


def test_check_names_a_console_script_without_a_page(pages: Path) -> None:
    (pages / "cta-ops-tape-alerting.md").unlink()
    r = gen("--check", "--pages", str(pages))
    assert r.returncode == 1
    assert "cta-ops-tape-alerting.md: no options block for console script `cta-ops-tape-alerting`" in r.stderr


def test_check_names_a_page_of_a_script_that_no_longer_exists(pages: Path) -> None:
    (pages / "cta-ops-old-tool.md").write_text(
        "# cta-ops-old-tool\n\n<!-- BEGIN options: cta-ops-old-tool -->\n<!-- END options: cta-ops-old-tool -->\n"
    )
    r = gen("--check", "--pages", str(pages))
    assert r.returncode == 1
    assert "cta-ops-old-tool.md: names `cta-ops-old-tool`, which is no console script" in r.stderr
    assert "cta-ops-old-tool.md: no console script `cta-ops-old-tool` in pyproject.toml" in r.stderr


def test_check_wants_the_alias_named_on_its_targets_page(pages: Path) -> None:
    page = pages / "cta-ops-change-storage-class.md"
    page.write_text(page.read_text().replace("`cta-ops-change-storageclass`", "the alias"))
    r = gen("--check", "--pages", str(pages))
    assert r.returncode == 1
    assert "does not name the alias `cta-ops-change-storageclass`" in r.stderr


def test_the_options_blocks_hold_the_real_help() -> None:
    """What --help prints today is on the page (the block is not a hand-written copy)."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("CTAOPS_CONFIG", None)
    out = subprocess.run(
        [str(BIN / "cta-ops-verify-tape"), "--help"], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.strip() in (TOOLS / "cta-ops-verify-tape.md").read_text()


def test_every_page_has_the_sections_an_operator_looks_for() -> None:
    for page in tool_pages():
        text = page.read_text()
        for heading in SECTIONS:
            assert re.search(rf"(?m)^{heading}$", text), f"{page.name}: no {heading!r}"
        codes = section(text, "## Exit codes")
        assert re.search(r"(?m)^\| 0 \|", codes), f"{page.name}: no row for exit code 0"
        assert re.search(r"(?m)^\| 1 \|", codes) or "1 failure" in codes, f"{page.name}: no row for exit code 1"
        assert "```sh\n" in section(text, "## Examples"), f"{page.name}: no example block"
        assert "BEGIN options:" in section(text, "## Options"), f"{page.name}: no generated options"


def test_the_index_lists_every_console_script_and_links_its_page() -> None:
    index = (TOOLS / "index.md").read_text()
    for name in console_scripts():
        assert f"`{name}`" in index, name
    for page in tool_pages():
        assert f"]({page.name}" in index, page.name


def example_block(page: Path) -> str:
    m = re.search(r"(?ms)^```sh\n(.*?)^```$", section(page.read_text(), "## Examples"))
    assert m is not None, page.name
    return m.group(1)


@pytest.mark.parametrize("page", tool_pages(), ids=lambda p: p.stem)
def test_the_examples_run_on_the_simulator(page: Path, tmp_path: Path) -> None:
    """Each page's example block, run as written by bash -e in an empty directory, succeeds."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path)}
    env.pop("CTAOPS_CONFIG", None)
    script = "set -euo pipefail\n" + example_block(page)
    proc = subprocess.Popen(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        with contextlib.suppress(ProcessLookupError):  # a background server the block did not stop
            os.killpg(proc.pid, signal.SIGTERM)
    assert proc.returncode == 0, f"{page.name}: exit {proc.returncode}\n{out[-2000:]}\n{err[-2000:]}"
    named = re.findall(r"<!-- BEGIN options: ([\w:.-]+)", page.read_text())
    tools = {"ctaops" if n == "rust:ctaops" else n for n in named}
    runs = [t for t in tools if re.search(rf"(?m)^(\S+=\$\()?{re.escape(t)} ", script)]
    assert runs, f"{page.name}: no example runs {sorted(tools)}"
