"""ctaops.utils.tables: tabulate styles, column width, headers, colour."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ctaops.utils.config import load_config
from ctaops.utils.tables import format_table, print_table, use_color

RECORDS = [
    {"vid": "V01007", "tapepool": "atlas_raw", "full": False, "comment": "", "creationLog": {"time": "1700000000"}},
    {"vid": "V01008", "tapepool": "cms", "full": True, "comment": "a" * 50, "creationLog": {"time": "1700000001"}},
]
HEADERS = {
    "vid": "VID",
    "tapepool": "Tapepool",
    "full": "Full",
    "comment": "Comment",
    "creationLog": {"time": "C.Time"},
}


def test_plain_default_with_nested_headers_and_empty_cells() -> None:
    text = format_table(RECORDS, HEADERS, color=False, max_col_width=0)
    lines = text.splitlines()
    assert lines[0].split() == ["VID", "Tapepool", "Full", "Comment", "C.Time"]
    assert lines[1].split() == ["V01007", "atlas_raw", "false", "-", "1700000000"]
    assert "a" * 50 in lines[2]
    assert "+" not in text
    assert "|" not in text


def test_config_table_format_and_max_width(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("global: {table_format: grid, table_max_col_width: 10}\n")
    text = format_table(RECORDS, HEADERS, config=load_config(p), color=False)
    assert text.startswith("+")
    assert "aaaaaaaaaa" in text
    assert "a" * 11 not in text  # wrapped at 10
    assert max(len(line) for line in text.splitlines()) < 80


@pytest.mark.parametrize(("fmt", "marker"), [("github", "|"), ("simple", "---"), ("pipe", "|:")])
def test_explicit_formats(fmt: str, marker: str) -> None:
    assert marker in format_table(RECORDS, HEADERS, table_format=fmt, color=False)


def test_sequences_and_headers_list() -> None:
    text = format_table([["a", 1], ["b", None]], ["Name", "N"], color=False)
    assert text.splitlines()[2].split() == ["b", "-"]


def test_no_headers_uses_keys() -> None:
    text = format_table([{"a": 1, "b": {"c": 2}}], color=False)
    assert text.splitlines()[0].split() == ["a", "b.c"]


def test_colour_only_when_forced_or_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[1;31mVID\x1b[0m" in format_table(RECORDS, HEADERS, color=True)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(Tty())
    assert not use_color(io.StringIO())
    out = Tty()
    print_table(RECORDS, HEADERS, file=out)
    assert "\x1b[" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Tty())
    out = Tty()
    print_table(RECORDS, HEADERS, file=out)
    assert "\x1b[" not in out.getvalue()
