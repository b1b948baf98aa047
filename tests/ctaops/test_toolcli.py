"""The options and the log line shape every ``cta-ops-*`` drive tool shares."""

from __future__ import annotations

import re

import pytest

from ctaops import _toolcli

UPSTREAM_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(\w+)\] \[(\w+)\] (.*)$")


@pytest.mark.parametrize("flag", ["-V", "-v", "--verbose"])
def test_verbose_spellings(flag: str) -> None:
    args = _toolcli.parser("cta-ops-x", "test").parse_args(["-C", "c.yaml", flag])
    assert args.verbose is True
    assert args.config_file == "c.yaml"


def test_log_lines_have_the_upstream_shape(capsys: pytest.CaptureFixture[str]) -> None:
    def probe_step() -> None:
        log.debug("looking at drive %s", "DRV0")
        log.warning("drive %s is hot", "DRV0")

    log = _toolcli.setup_logging("cta-ops-x", verbose=True)
    probe_step()
    # Set up twice (as in-process callers do): no line may be doubled.
    log = _toolcli.setup_logging("cta-ops-x", verbose=False)
    probe_step()
    lines = capsys.readouterr().err.splitlines()
    parsed = [UPSTREAM_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m.group(1), m.group(2), m.group(3)) for m in parsed if m] == [
        ("DEBUG", "probe_step", "looking at drive DRV0"),
        ("WARNING", "probe_step", "drive DRV0 is hot"),
        ("WARNING", "probe_step", "drive DRV0 is hot"),
    ]
