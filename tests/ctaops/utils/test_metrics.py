"""The one Prometheus writer: names, escaping, values, the textfile written atomically, ToolRun."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from ctaops.utils.config import load_config
from ctaops.utils.metrics import MetricNameError, Registry, ToolRun, check_name, format_value, textfile_path


def test_render_help_type_labels_and_order() -> None:
    reg = Registry("pool_supply")
    g = reg.gauge("fresh_tapes", "Fresh tapes left in a supply pool.", ("pool",))
    g.set(3, pool="supply")
    g.set(0, pool="other")
    c = reg.counter("moves_total", "Tapes moved.")
    c.inc()
    c.inc(2)
    assert reg.render() == (
        "# HELP ctaops_pool_supply_fresh_tapes Fresh tapes left in a supply pool.\n"
        "# TYPE ctaops_pool_supply_fresh_tapes gauge\n"
        'ctaops_pool_supply_fresh_tapes{pool="supply"} 3\n'
        'ctaops_pool_supply_fresh_tapes{pool="other"} 0\n'
        "# HELP ctaops_pool_supply_moves_total Tapes moved.\n"
        "# TYPE ctaops_pool_supply_moves_total counter\n"
        "ctaops_pool_supply_moves_total 3\n"
    )
    assert reg.names() == ["ctaops_pool_supply_fresh_tapes", "ctaops_pool_supply_moves_total"]


def test_label_values_and_help_are_escaped() -> None:
    reg = Registry("tape_alerting")
    g = reg.gauge("alerts", "Line one\\two\nthree.", ("drive",))
    g.set(1, drive='a"b\\c\nd')
    text = reg.render()
    assert "# HELP ctaops_tape_alerting_alerts Line one\\\\two\\nthree." in text
    assert 'ctaops_tape_alerting_alerts{drive="a\\"b\\\\c\\nd"} 1' in text
    promtool = shutil.which("promtool")
    if promtool is not None:  # the escaped text parses
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (3.0, "3"),
        (0.4, "0.4"),
        (-2.5, "-2.5"),
        (float("nan"), "NaN"),
        (float("inf"), "+Inf"),
        (1e300, "1e+300"),
    ],
)
def test_values(value: float, text: str) -> None:
    assert format_value(value) == text


@pytest.mark.parametrize(
    ("name", "kind", "why"),
    [
        ("cta_drive_temperature_celsius", "gauge", "ctaops_<tool>_<what>"),
        ("ctaops_repack", "gauge", "no <what>"),
        ("ctaops_Repack_tapes", "gauge", "lower snake case"),
        ("ctaops_repack__tapes", "gauge", "lower snake case"),
        ("ctaops_repack_tapes-x", "gauge", "lower snake case"),
        ("ctaops_repack_moves", "counter", "must end with _total"),
        ("ctaops_repack_moves_total", "gauge", "reserved for counters"),
        ("ctaops_repack_age_milliseconds", "gauge", "'milliseconds'"),
        ("ctaops_repack_age_days", "gauge", "'days'"),
        ("ctaops_repack_moved_gb", "gauge", "'gb'"),
        ("ctaops_drive_environmentals_humidity_percent", "gauge", "'percent'"),
    ],
)
def test_bad_names_are_refused(name: str, kind: str, why: str) -> None:
    with pytest.raises(MetricNameError, match=why):
        check_name(name, kind)  # type: ignore[arg-type]


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(MetricNameError, match="tool id"):
        Registry("Pool-Supply")
    reg = Registry("repack")
    with pytest.raises(MetricNameError, match="_total"):
        reg.counter("moves", "Moves.")
    with pytest.raises(MetricNameError, match="label name"):
        reg.gauge("tapes", "Tapes.", ("__name",))
    with pytest.raises(MetricNameError, match="label name"):
        reg.gauge("tapes", "Tapes.", ("bad-label",))
    with pytest.raises(MetricNameError, match="repeats"):
        reg.gauge("tapes", "Tapes.", ("state", "state"))
    with pytest.raises(MetricNameError, match="help"):
        reg.gauge("tapes", " ")
    g = reg.gauge("tapes", "Tapes.", ("state",))
    assert reg.gauge("tapes", "Tapes.", ("state",)) is g  # declared again: the same family
    with pytest.raises(MetricNameError, match="declared twice"):
        reg.gauge("tapes", "Tapes.", ("mode",))
    with pytest.raises(MetricNameError, match="takes labels"):
        g.set(1, mode="auto")
    with pytest.raises(ValueError, match="cannot decrease"):
        reg.counter("moves_total", "Moves.").inc(-1)
    assert reg.names() == ["ctaops_repack_tapes", "ctaops_repack_moves_total"]


def test_textfile_path_from_the_key_and_overrides(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.yaml"
    cfg_file.write_text(f"global:\n  metrics:\n    textfile_dir: {tmp_path / 'prom'}\n")
    cfg = load_config(cfg_file)
    assert cfg.metrics.textfile_dir == str(tmp_path / "prom")
    assert textfile_path(cfg, "pool_supply") == tmp_path / "prom" / "ctaops_pool_supply.prom"
    assert textfile_path(cfg, "repack", name="repack_scan") == tmp_path / "prom" / "ctaops_repack_scan.prom"
    assert textfile_path(cfg, "pool_supply", override="/x/y.prom") == Path("/x/y.prom")
    empty = tmp_path / "e.yaml"
    empty.write_text("global:\n  table_format: plain\n")
    assert textfile_path(load_config(empty), "pool_supply") is None
    assert textfile_path(load_config(empty), "pool_supply", override="/x/y.prom") == Path("/x/y.prom")


def _sample(text: str, series: str) -> str:
    return next(line.split()[-1] for line in text.splitlines() if line.startswith(series + " "))


def test_tool_run_writes_standard_metrics_and_marks_failures(tmp_path: Path) -> None:
    path = tmp_path / "prom" / "ctaops_verify_tape.prom"
    with ToolRun("verify_tape", path, roots=[tmp_path / "prom"]) as run:
        run.registry.gauge("selected_bytes", "Bytes.", ("vid",)).set(10, vid="V1")
        run.done(0)
    text = path.read_text()
    assert 'ctaops_verify_tape_selected_bytes{vid="V1"} 10' in text
    assert "ctaops_verify_tape_last_run_success 1" in text
    assert float(_sample(text, "ctaops_verify_tape_last_run_timestamp_seconds")) > 1.7e9
    assert float(_sample(text, "ctaops_verify_tape_last_run_duration_seconds")) >= 0
    # A run that raises still writes its file, marked failed, and the error goes on.
    with pytest.raises(RuntimeError), ToolRun("verify_tape", path, labels={"step": "x"}) as run:
        raise RuntimeError("boom")
    assert 'ctaops_verify_tape_last_run_success{step="x"} 0' in path.read_text()
    # A run that returns non-zero is a failure too; done() hands the status back.
    with ToolRun("verify_tape", path) as run:
        assert run.done(1) == 1
    assert "ctaops_verify_tape_last_run_success 0" in path.read_text()
    # No path (no textfile_dir, or a dry run): nothing written.
    with ToolRun("verify_tape", None) as run:
        run.done(0)
    assert run.write() is None


def test_missing_directory_outside_the_roots_is_refused(tmp_path: Path) -> None:
    run = ToolRun("verify_tape", tmp_path / "nowhere" / "x.prom", roots=[tmp_path / "logs"])
    run.done(0)
    with pytest.raises(Exception, match="no such directory"):
        run.write()
    assert not (tmp_path / "nowhere").exists()


def test_textfile_is_replaced_atomically(tmp_path: Path) -> None:
    """A reader polling the file while it is rewritten never sees a partial or empty file."""
    path = tmp_path / "ctaops_repack_monitor.prom"
    reg = Registry("repack")
    g = reg.gauge("tapes", "Tapes.", ("n",))
    for i in range(2000):  # a file of ~70 kB: not written in one syscall
        g.set(i, n=f"{i:06d}")
    reg.write(path)
    whole = path.read_text()
    seen: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(path.read_text())

    t = threading.Thread(target=reader)
    t.start()
    try:
        for _ in range(20):
            reg.write(path)
    finally:
        stop.set()
        t.join()
    assert seen
    assert all(s == whole for s in seen)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
    assert stat.S_ISREG(os.lstat(path).st_mode)
