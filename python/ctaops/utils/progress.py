"""How far a long job is: one line redrawn on a terminal, a log line every so often otherwise.

On a terminal (stderr is a tty) the reporter redraws a single status line at most
:data:`REDRAW_SECONDS` apart and clears it when the work ends, so the tool's own output is not
interleaved with stale progress. Anywhere else (cron, systemd, a pipe) it writes a log line every
``interval`` seconds (default :data:`DEFAULT_INTERVAL`, or ``$CTAOPS_PROGRESS_INTERVAL``), so a
log file shows that an hours-long verification is still moving and how fast.

No library is pulled in for this: neither tqdm nor rich is a ctaops dependency, and the two modes
above are all the tools need.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from types import TracebackType
from typing import TextIO

DEFAULT_INTERVAL = 60.0
"""Seconds between progress log lines when not on a terminal."""
INTERVAL_ENV = "CTAOPS_PROGRESS_INTERVAL"
"""Overrides :data:`DEFAULT_INTERVAL` (seconds, a decimal number)."""
REDRAW_SECONDS = 0.2
"""Shortest time between two redraws of the terminal line."""


def _interval_from_env() -> float:
    text = os.environ.get(INTERVAL_ENV, "")
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_INTERVAL
    return value if value >= 0 else DEFAULT_INTERVAL


def _amount(n: float, unit: str) -> str:
    """Format a count as a whole number, a byte amount in SI units (as cta-admin prints rates)."""
    if unit != "B":
        return f"{int(n)}{unit and ' ' + unit}"
    for prefix in ("", "k", "M", "G", "T"):
        if abs(n) < 1000 or prefix == "T":
            return f"{n:.0f} B" if not prefix else f"{n:.1f} {prefix}B"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns at "T"


class Progress:
    """Progress of ``what`` towards ``total`` (``None``: unknown) in ``unit`` (``"B"`` prints sizes)."""

    def __init__(  # noqa: PLR0913  (keyword-only options)
        self,
        what: str,
        total: float | None = None,
        *,
        logger: logging.Logger | None = None,
        unit: str = "",
        stream: TextIO | None = None,
        tty: bool | None = None,
        interval: float | None = None,
    ) -> None:
        self.what = what
        self.total = total
        self.unit = unit
        self.done: float = 0
        self.detail = ""
        self._logger = logger
        self._stream = stream if stream is not None else sys.stderr
        self._tty = tty if tty is not None else _isatty(self._stream)
        self._interval = interval if interval is not None else _interval_from_env()
        self._start = time.monotonic()
        self._last = self._start
        self._drawn = False

    def line(self) -> str:
        """Return the current state in words: ``what: 3/10 tapes (30%), 2.0/s, V00004``."""
        text = f"{self.what}: {_amount(self.done, self.unit)}"
        if self.total:
            of = f" of {_amount(self.total, 'B')}" if self.unit == "B" else f"/{_amount(self.total, self.unit)}"
            text += f"{of} ({100 * self.done / self.total:.0f}%)"
        elapsed = time.monotonic() - self._start
        if elapsed > 0 and self.done:
            rate = self.done / elapsed
            text += f", {_amount(rate, 'B') if self.unit == 'B' else f'{rate:.1f}'}/s"
        return f"{text}, {self.detail}" if self.detail else text

    def update(self, done: float | None = None, *, advance: float = 0, detail: str | None = None) -> None:
        """Set ``done`` (or add ``advance``) and report if it is time to."""
        self.done = done if done is not None else self.done + advance
        if detail is not None:
            self.detail = detail
        now = time.monotonic()
        if self._tty:
            if now - self._last >= REDRAW_SECONDS or not self._drawn:
                self._stream.write(f"\r{self.line()}\x1b[K")
                self._stream.flush()
                self._drawn = True
                self._last = now
        elif now - self._last >= self._interval:
            self._emit(self.line())
            self._last = now

    def close(self) -> None:
        """Clear the terminal line (the tool prints its own end-of-work summary)."""
        if self._tty and self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn = False

    def _emit(self, text: str) -> None:
        if self._logger is not None:
            self._logger.info("%s", text, stacklevel=3)
        else:
            print(text, file=self._stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


__all__ = ["DEFAULT_INTERVAL", "INTERVAL_ENV", "Progress"]
