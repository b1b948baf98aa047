"""ctaops.utils.logging: upstream line format, file per tool, rotation, JSON lines."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ctaops.utils.config import Config, load_config
from ctaops.utils.logging import init_logger, log_and_exit, tool_log_dir

LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] \[(\w+)\] (.*)$")


def config(tmp_path: Path, extra: str = "") -> Config:
    p = tmp_path / "cfg.yaml"
    p.write_text(f"global:\n  logging:\n    log_dir: {tmp_path / 'logs'}\n{extra}")
    return load_config(p)


def get_library_type(logger: logging.Logger) -> None:
    logger.info("Library type: IBM-03584L22")


def test_line_format_on_stderr_and_in_the_tool_file(tmp_path: Path) -> None:
    err = io.StringIO()
    logger = init_logger("cta-ops-test", config=config(tmp_path), stream=err)
    get_library_type(logger)
    logger.debug("not shown without debug")
    stderr_line = err.getvalue().splitlines()
    assert len(stderr_line) == 1
    m = LINE.match(stderr_line[0])
    assert m is not None, stderr_line
    assert m.groups() == ("INFO", "get_library_type", "Library type: IBM-03584L22")
    file_lines = (tmp_path / "logs" / "cta-ops-test.log").read_text().splitlines()
    assert file_lines == stderr_line


def test_debug_and_custom_date_format(tmp_path: Path) -> None:
    cfg = config(tmp_path, '    date_format: "%d/%m/%Y"\n')
    err = io.StringIO()
    logger = init_logger("dbg", config=cfg, debug=True, stream=err, to_file=False)
    logger.debug("x")
    assert re.match(r"^\d{2}/\d{2}/\d{4} \[DEBUG\] \[test_debug_and_custom_date_format\] x$", err.getvalue())
    assert not (tmp_path / "logs").exists()


def test_reinit_replaces_handlers(tmp_path: Path) -> None:
    err = io.StringIO()
    cfg = config(tmp_path)
    init_logger("again", config=cfg, stream=err)
    logger = init_logger("again", config=cfg, stream=err)
    logger.warning("once")
    assert err.getvalue().count("once") == 1


def test_size_based_rotation(tmp_path: Path) -> None:
    cfg = config(tmp_path, "    rotation_max_size: 1K\n    rotation_keep_files: 2\n")
    logger = init_logger("rot", config=cfg, to_stderr=False)
    for i in range(200):
        logger.info("line %03d %s", i, "x" * 40)
    logs = tmp_path / "logs"
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["rot.log", "rot.log.1", "rot.log.2"]
    for p in logs.iterdir():
        assert p.stat().st_size <= 1024
    # newest lines in the live file, the last one written is there
    assert "line 199" in (logs / "rot.log").read_text()


def test_json_lines_for_fluentd(tmp_path: Path) -> None:
    logger = init_logger("js", config=config(tmp_path), json_lines=True, to_stderr=False)
    logger.info("repack started", extra={"vid": "V01007", "files": 3})
    entry = json.loads((tmp_path / "logs" / "js.log").read_text().splitlines()[0])
    assert entry["level"] == "INFO"
    assert entry["function"] == "test_json_lines_for_fluentd"
    assert entry["message"] == "repack started"
    assert entry["vid"] == "V01007"
    assert entry["files"] == 3
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", entry["time"])


def test_unwritable_log_dir_falls_back_to_stderr(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    err = io.StringIO()
    logger = init_logger("nofile", config=config(tmp_path), log_dir=str(blocker / "sub"), stream=err)
    logger.info("still logged")
    out = err.getvalue()
    assert "nofile: not logging to" in out
    assert "still logged" in out


def test_log_and_exit_in_a_real_process(tmp_path: Path) -> None:
    cfgfile = tmp_path / "cfg.yaml"
    cfgfile.write_text(f"global: {{logging: {{log_dir: {tmp_path}}}}}\n")
    script = (
        "from ctaops.utils.config import load_config\n"
        "from ctaops.utils.logging import init_logger, log_and_exit\n"
        f"log = init_logger('tool', config=load_config({str(cfgfile)!r}))\n"
        "def check_env():\n"
        "    log_and_exit(log, 'pool tolabel_X is missing', 3)\n"
        "print('data on stdout')\n"
        "check_env()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == 3
    assert proc.stdout == "data on stdout\n"
    m = LINE.match(proc.stderr.strip())
    assert m is not None, proc.stderr
    assert m.groups() == ("ERROR", "check_env", "pool tolabel_X is missing")
    assert "pool tolabel_X is missing" in (tmp_path / "tool.log").read_text()


def test_log_and_exit_raises_system_exit(tmp_path: Path) -> None:
    logger = init_logger("exit", config=config(tmp_path), stream=io.StringIO(), to_file=False)
    with pytest.raises(SystemExit) as exc:
        log_and_exit(logger, "bye", 2)
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("doc", "tool", "expected"),
    [
        ({}, "cta-ops-repack-automation", "/var/log/cta-ops/repack/"),  # upstream's default
        ({"global": {"logging": {"log_dir": "/site/"}}}, "cta-ops-repack-automation", "/site/repack/"),  # follows it
        ({"tools": {"cta-ops-repack-automation": {"logging": {"log_dir": "/r/"}}}}, "cta-ops-repack-automation", "/r/"),
        (
            {"tools": {"cta-ops-tape-verify": {"logging": {"log_dir": "/v/"}}}},
            "cta-ops-tape-verify.cta-ops-verify-tape",
            "/v/",
        ),
        (
            {"tools": {"cta-ops-tape-verify": {"cta-ops-verify-tape": {"logging": {"log_dir": "/n/"}}}}},
            "cta-ops-tape-verify.cta-ops-verify-tape",
            "/n/",
        ),
    ],
)
def test_tool_log_dir_derives_from_the_global_one(
    tmp_path: Path, doc: dict[str, object], tool: str, expected: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(doc))
    section = tool.split(".", 1)[0]
    sub = "repack" if section == "cta-ops-repack-automation" else "verification"
    assert tool_log_dir(load_config(path, tool=tool), section, sub) == expected
