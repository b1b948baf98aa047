"""The docs site: generated pages are current, every page is in the nav, the quick start shows
the README's tested tour."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def nav_pages() -> set[str]:
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:\n") :]
    return set(re.findall(r"(?m)^\s*- (?:[^:\n]+: )?([\w./-]+\.md)\s*$", nav))


def test_generated_pages_are_current() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    nav = nav_pages()
    assert pages - nav == set(), "pages missing from mkdocs.yml's nav"
    assert nav - pages == set(), "nav entries without a page"


def tour(text: str, heading: str) -> str:
    m = re.search(rf"(?ms)^{re.escape(heading)}\n.*?^(```sh\n.*?^```)$", text)
    assert m is not None, heading
    return m.group(1)


def test_the_quick_start_is_the_tested_readme_tour() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = (DOCS / "quickstart.md").read_text()
    assert tour(readme, "## Quick tour") == tour(quick, "# Quick start on the simulator")
