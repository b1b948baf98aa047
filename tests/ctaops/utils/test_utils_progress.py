"""The progress reporter: a redrawn line on a terminal, throttled log lines elsewhere."""

from __future__ import annotations

import io
import logging

import pytest

from ctaops.utils.progress import Progress


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []
        self.functions: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.functions.append(record.funcName)


@pytest.fixture
def records() -> _Records:
    handler = _Records()
    logger = logging.getLogger("test-progress")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    return handler


def test_not_a_terminal_logs_every_interval(records: _Records, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("ctaops.utils.progress.time.monotonic", lambda: clock[0])
    logger = logging.getLogger("test-progress")

    def the_work() -> None:
        with Progress("tapes", 10, logger=logger, tty=False, interval=5) as p:
            for i in range(10):
                clock[0] += 2
                p.update(advance=1, detail=f"V0000{i}")

    the_work()
    # 20 s of work, a line at most every 5 s: at 6, 12 and 18 s
    assert records.messages == [
        "tapes: 3/10 (30%), 0.5/s, V00002",
        "tapes: 6/10 (60%), 0.5/s, V00005",
        "tapes: 9/10 (90%), 0.5/s, V00008",
    ]
    assert set(records.functions) == {"the_work"}  # the caller, not the reporter, names the line


def test_terminal_redraws_one_line_and_clears_it() -> None:
    out = io.StringIO()
    with Progress("bytes", 2_000_000, unit="B", stream=out, tty=True) as p:
        p.update(1_000_000)
    text = out.getvalue()
    assert text.startswith("\rbytes: 1.0 MB of 2.0 MB (50%)")
    assert text.endswith("\r\x1b[K")
    assert "\n" not in text


def test_without_a_logger_lines_go_to_the_stream() -> None:
    out = io.StringIO()
    p = Progress("files", None, stream=out, tty=False, interval=0)
    p.update(3)
    assert out.getvalue().startswith("files: 3")
    assert out.getvalue().endswith("\n")


def test_a_bad_interval_in_the_environment_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTAOPS_PROGRESS_INTERVAL", "soon")
    out = io.StringIO()
    p = Progress("x", 5, stream=out, tty=False)
    p.update(1)
    assert out.getvalue() == ""  # the default minute has not passed
