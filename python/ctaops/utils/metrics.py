"""Prometheus text exposition for every ctaops tool: one registry, one naming scheme, atomic textfiles.

Every metric is called ``ctaops_<tool>_<what>``: ``tool`` is the tool's id (``repack``,
``pool_supply``, ``verification_feeder`` … see ``docs/monitoring.md``), ``what`` ends with the
unit in base units (``_seconds``, ``_bytes``, ``_celsius``, ``_ratio``) and a counter's with
``_total``. Names that break these rules are refused when the metric is declared
(:class:`MetricNameError`), so a typo never reaches a dashboard.

A scheduled tool wraps its run in a :class:`ToolRun`; at the end (or when the run fails) the
registry gets the standard run metrics ``ctaops_<tool>_last_run_timestamp_seconds``,
``ctaops_<tool>_last_run_success`` and ``ctaops_<tool>_last_run_duration_seconds`` and is written
to ``<global.metrics.textfile_dir>/ctaops_<tool>.prom`` (:func:`textfile_path`), through a
temporary file in the same directory renamed over the old one, so node_exporter's textfile
collector never reads half a file::

    from ctaops.utils.metrics import ToolRun, textfile_path

    path = textfile_path(config, "data_monitoring", override=args.metrics_file)
    with ToolRun("data_monitoring", path) as run:
        points = run.registry.gauge("points", "Points written by the last run.", ("measurement",))
        ...
        points.set(42, measurement="downsampled_ctataped_tapeSessionFinished")
        run.done(exit_code)   # last_run_success 1 if exit_code == 0; an exception leaves 0
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from ctaops.utils.files import make_parent, write_atomic

if TYPE_CHECKING:
    from ctaops.utils.config import Config

PREFIX = "ctaops"
Kind = Literal["gauge", "counter"]

_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
# Scaled or non-base units the naming guide replaces (seconds, bytes, ratio, celsius, meters …).
_NOT_BASE_UNITS = frozenset(
    {
        "ms",
        "msec",
        "millis",
        "milliseconds",
        "microseconds",
        "nanoseconds",
        "sec",
        "secs",
        "minute",
        "minutes",
        "hour",
        "hours",
        "day",
        "days",
        "kb",
        "mb",
        "gb",
        "tb",
        "kib",
        "mib",
        "gib",
        "tib",
        "kilobytes",
        "megabytes",
        "gigabytes",
        "terabytes",
        "bits",
        "percent",
        "percentage",
        "fahrenheit",
    }
)


class MetricNameError(ValueError):
    """A metric or label name that breaks the naming scheme (a programming error, raised at declaration)."""


def check_tool(tool: str) -> str:
    """Return ``tool`` if it is a valid tool id (lower snake case), else raise :class:`MetricNameError`."""
    if not _SNAKE.fullmatch(tool):
        raise MetricNameError(f"tool id {tool!r} is not lower snake case (e.g. pool_supply)")
    return tool


def check_name(name: str, kind: Kind) -> str:
    """Return ``name`` if it is a valid ``ctaops_<tool>_<what>`` name of a ``kind`` metric."""
    if not name.startswith(PREFIX + "_") or not _SNAKE.fullmatch(name):
        raise MetricNameError(f"metric name {name!r} is not ctaops_<tool>_<what> in lower snake case")
    parts = name.split("_")
    if len(parts) < 3:
        raise MetricNameError(f"metric name {name!r} has no <what> after ctaops_<tool>_")
    if kind == "counter" and parts[-1] != "total":
        raise MetricNameError(f"counter {name!r} must end with _total")
    if kind != "counter" and parts[-1] == "total":
        raise MetricNameError(f"{kind} {name!r} must not end with _total (reserved for counters)")
    bad = _NOT_BASE_UNITS.intersection(parts[2:])
    if bad:
        raise MetricNameError(f"metric name {name!r} uses {sorted(bad)[0]!r}: use base units (seconds, bytes, ratio)")
    return name


def escape_label(value: object) -> str:
    """Escape a label value for the text format (backslash, double quote, line feed)."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    """Format a sample value: integers without a fraction, ``NaN``, ``+Inf``/``-Inf``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**63:
        return str(int(value))
    return repr(float(value))


@dataclass
class Metric:
    """One metric family: its name, type, help text, label names and samples."""

    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...]
    samples: dict[tuple[str, ...], float] = field(default_factory=dict)

    def _key(self, labels: Mapping[str, object]) -> tuple[str, ...]:
        if set(labels) != set(self.labels):
            raise MetricNameError(f"{self.name} takes labels {list(self.labels)}, got {sorted(labels)}")
        return tuple(str(labels[n]) for n in self.labels)

    def set(self, value: float, **labels: object) -> None:
        """Set the sample with these labels (a gauge; a counter's running total read from elsewhere)."""
        self.samples[self._key(labels)] = float(value)

    def inc(self, amount: float = 1.0, **labels: object) -> None:
        """Add to the sample with these labels (starting from 0); counters only go up."""
        if self.kind == "counter" and amount < 0:
            raise ValueError(f"counter {self.name} cannot decrease")
        key = self._key(labels)
        self.samples[key] = self.samples.get(key, 0.0) + float(amount)

    def render(self) -> list[str]:
        """Return the HELP and TYPE lines and one line per sample (in the order they were first set)."""
        out = [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]
        for key, value in self.samples.items():
            pairs = ",".join(f'{n}="{escape_label(v)}"' for n, v in zip(self.labels, key))
            series = f"{self.name}{{{pairs}}}" if pairs else self.name
            out.append(f"{series} {format_value(value)}")
        return out


class Registry:
    """The metrics of one tool, named ``ctaops_<tool>_<what>``."""

    def __init__(self, tool: str) -> None:
        self.tool = check_tool(tool)
        self._metrics: dict[str, Metric] = {}

    def _declare(self, what: str, kind: Kind, help_: str, labels: Sequence[str]) -> Metric:
        name = check_name(f"{PREFIX}_{self.tool}_{what}", kind)
        for label in labels:
            if not _LABEL.fullmatch(label) or label.startswith("__"):
                raise MetricNameError(f"label name {label!r} of {name} is invalid")
        if len(set(labels)) != len(labels):
            raise MetricNameError(f"{name} repeats a label name")
        if not help_.strip():
            raise MetricNameError(f"{name} needs a help text")
        old = self._metrics.get(name)
        if old is not None:
            if (old.kind, old.labels) != (kind, tuple(labels)):
                raise MetricNameError(f"{name} declared twice with different types or labels")
            return old
        metric = Metric(name, kind, help_, tuple(labels))
        self._metrics[name] = metric
        return metric

    def gauge(self, what: str, help_: str, labels: Sequence[str] = ()) -> Metric:
        """Declare (or get back) the gauge ``ctaops_<tool>_<what>``."""
        return self._declare(what, "gauge", help_, labels)

    def counter(self, what: str, help_: str, labels: Sequence[str] = ()) -> Metric:
        """Declare (or get back) the counter ``ctaops_<tool>_<what>`` (``what`` ends with ``_total``)."""
        return self._declare(what, "counter", help_, labels)

    def names(self) -> list[str]:
        """Return the declared metric names."""
        return list(self._metrics)

    def render(self) -> str:
        """Return the text exposition of every declared metric (families without samples show HELP/TYPE only)."""
        lines = [line for m in self._metrics.values() for line in m.render()]
        return "\n".join(lines) + "\n" if lines else ""

    def write(self, path: str | os.PathLike[str]) -> None:
        """Replace ``path`` atomically with :meth:`render` (temporary file in its directory, then rename)."""
        write_atomic(path, self.render())


def textfile_path(
    config: Config | None, tool: str, *, override: str | os.PathLike[str] | None = None, name: str | None = None
) -> Path | None:
    """Where a tool's textfile goes: ``override`` (a tool's own key/option), else ``<textfile_dir>/ctaops_<name>.prom``.

    ``name`` defaults to the tool id (the ATRESYS steps use ``repack_<step>``, one file per step).
    ``None`` when neither is set: the tool writes no metrics.
    """
    check_tool(tool)
    if override:
        return Path(override)
    directory = config.metrics.textfile_dir if config is not None else ""
    if not directory:
        return None
    return Path(directory) / f"{PREFIX}_{check_tool(name or tool)}.prom"


class ToolRun:
    """One run of a scheduled tool: its registry, plus the standard run metrics written at the end.

    ``labels`` are added to the three standard metrics (the ATRESYS steps share the names and set
    ``step``). ``path`` ``None`` keeps the registry in memory only (no textfile configured, or a
    dry run). ``roots`` are the directories under which a missing parent directory may be
    created (the tool's ``log_dir`` and ``global.metrics.textfile_dir``); elsewhere it is refused.
    """

    def __init__(
        self,
        tool: str,
        path: Path | None,
        *,
        labels: Mapping[str, str] | None = None,
        roots: Sequence[str | os.PathLike[str] | None] = (),
    ) -> None:
        self.registry = Registry(tool)
        self.path = path
        self.labels = dict(labels or {})
        self.roots = list(roots)
        self.started = time.time()
        self.ok = False
        self.written = False

    def __enter__(self) -> ToolRun:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.ok = False
        if kind is None:
            self.write()
        elif issubclass(kind, Exception):
            # The run's own error is the one to report; a textfile that cannot be written as
            # well only loses the "failed" sample.
            with contextlib.suppress(Exception):
                self.write()

    def done(self, code: int) -> int:
        """Record the exit status (0: success) and return it."""
        self.ok = code == 0
        return code

    def standard(self, now: float | None = None) -> None:
        """Add the standard run metrics to the registry."""
        end = time.time() if now is None else now
        names = tuple(self.labels)
        reg = self.registry
        reg.gauge("last_run_timestamp_seconds", "When the last run ended (Unix time).", names).set(end, **self.labels)
        reg.gauge("last_run_success", "1 if the last run succeeded, 0 if it failed.", names).set(
            1 if self.ok else 0, **self.labels
        )
        reg.gauge("last_run_duration_seconds", "How long the last run took.", names).set(
            max(0.0, end - self.started), **self.labels
        )

    def write(self) -> Path | None:
        """Add the standard metrics and write the textfile (once); returns the path written, if any."""
        if self.written or self.path is None:
            return None
        self.standard()
        make_parent(self.path, self.roots)
        self.registry.write(self.path)
        self.written = True
        return self.path


__all__ = [
    "PREFIX",
    "Metric",
    "MetricNameError",
    "Registry",
    "ToolRun",
    "check_name",
    "check_tool",
    "escape_label",
    "format_value",
    "textfile_path",
]
