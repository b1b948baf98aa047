"""The docs site: generated pages are current, every config key has its own meaning in the
template, every page is in the nav, the quick start shows the README's tested tour."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GEN_DOCS = ROOT / "scripts" / "gen_docs.py"
TEMPLATE = ROOT / "packaging" / "cta-ops-config.yaml"


def gen_docs() -> ModuleType:
    """scripts/gen_docs.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_docs", GEN_DOCS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(template: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GEN_DOCS), "--check", "--template", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )


def drop_comment_above(text: str, key_line: str) -> str:
    """``text`` without the comment lines right above the line starting ``key_line``."""
    lines = text.splitlines(keepends=True)
    (at,) = [i for i, x in enumerate(lines) if x.startswith(key_line)]
    start = at
    while lines[start - 1].lstrip().startswith("#"):
        start -= 1
    assert start < at, f"no comment above {key_line!r}"
    return "".join(lines[:start] + lines[at:])


def drop_trailing_comment(text: str, key_line: str) -> str:
    """``text`` with the trailing comment of the line starting ``key_line`` removed."""
    (line,) = [x for x in text.splitlines() if x.startswith(key_line) and " #" in x]
    return text.replace(line + "\n", line.split(" #", 1)[0].rstrip() + "\n")


def nav_pages() -> set[str]:
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:\n") :]
    return set(re.findall(r"(?m)^\s*- (?:[^:\n]+: )?([\w./-]+\.md)\s*$", nav))


def test_generated_pages_are_current() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr


def test_every_key_of_the_model_has_its_own_meaning_in_the_template() -> None:
    g = gen_docs()
    keys = [k for k, _ in g.model_keys()]
    meanings = g.template_meanings()
    assert len(keys) > 150, "the model's keys were not read"
    assert g.without_meaning(keys, meanings) == []
    page = (DOCS / "config-reference.md").read_text()
    assert "(in `" not in page, "a row falls back on its section's comment"
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(rows) == len(keys)
    assert not [r for r in rows if r.endswith("|  |")], "a row without a meaning"


def test_a_key_without_a_comment_fails_the_check_naming_it(tmp_path: Path) -> None:
    text = TEMPLATE.read_text()
    # a block comment above a key, and a trailing comment in a section that has a comment of its
    # own (the section's comment must not count as the key's meaning)
    broken = drop_comment_above(text, "    rotation_keep_files:")
    broken = drop_trailing_comment(broken, "    ansi_end:")
    template = tmp_path / "cta-ops-config.yaml"
    template.write_text(broken)

    g = gen_docs()
    keys = [k for k, _ in g.model_keys()]
    missing = ["global.logging.rotation_keep_files", "global.colors.ansi_end"]
    assert g.without_meaning(keys, g.template_meanings(broken)) == missing

    r = check(template)
    assert r.returncode == 1
    first, *rest = r.stderr.splitlines()
    assert first.startswith(f"gen_docs: config keys without a meaning in {template}: ")
    assert first.endswith(": " + ", ".join(missing) + " (comment each above it or at the end of its line)")
    assert rest == ["gen_docs: stale: config-reference.md (run `make docs-gen` and commit)"]
    # the page still shows the section's comment as context for such a key
    page = g.config_page(g.model_keys(), g.template_meanings(broken))
    (row,) = [line for line in page.splitlines() if line.startswith("| `global.colors.ansi_end`")]
    assert "(in `global.colors`: ANSI sequences used when colours are on" in row


def test_the_shipped_template_passes_the_same_check(tmp_path: Path) -> None:
    template = tmp_path / "cta-ops-config.yaml"
    template.write_text(TEMPLATE.read_text())
    r = check(template)
    assert (r.returncode, r.stderr) == (0, "")


def test_numbered_entries_share_the_meanings_of_the_one_commented() -> None:
    g = gen_docs()
    keys = [k for k, _ in g.model_keys()]
    names = [k for k in keys if re.fullmatch(r"tools\.cta-ops-repack-automation\.priorities\.\d+\.name", k)]
    assert len(names) == 4
    text = drop_trailing_comment(TEMPLATE.read_text(), "        name: low ")
    assert g.without_meaning(keys, g.template_meanings(text)) == names


def test_what_counts_as_a_comment() -> None:
    g = gen_docs()
    meanings = g.template_meanings(
        "tape:\n"
        "  # Root -> library.\n"
        "  drive_to_lib_map:\n"
        "    separator: '-'  # what follows a root\n"
        "    # IBMLIB4-TS1160: 'IBM460'\n"
        "  prefixes: []\n"
        "  title: '#Files'\n"
        "  both: 1  # trailing\n"
        "# about nothing\n"
        "\n"
        "  after_blank: 2\n"
    )
    assert meanings == {
        "tape.drive_to_lib_map": "Root -> library.",
        "tape.drive_to_lib_map.separator": "what follows a root",
        "tape.both": "trailing",
    }
    # placeholders outside code spans are escaped, not taken for HTML tags
    assert g.prose("<log_dir>/x | `<tool>`") == "&lt;log_dir&gt;/x \\| `<tool>`"


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
