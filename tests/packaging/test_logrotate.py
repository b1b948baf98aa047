"""packaging/logrotate/ctaops: logrotate accepts it, and rotating under a running tool loses no line."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from ctaops.utils.logging import LineFormatter

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "packaging" / "logrotate" / "ctaops"
LOGROTATE = shutil.which("logrotate") or ("/usr/sbin/logrotate" if os.path.exists("/usr/sbin/logrotate") else None)
pytestmark = pytest.mark.skipif(
    LOGROTATE is None, reason="logrotate is not installed (Debian: apt-get install logrotate)"
)


def test_logrotate_accepts_the_rules(tmp_path: Path) -> None:
    r = subprocess.run(
        [str(LOGROTATE), "-d", "-s", str(tmp_path / "state"), str(RULES)], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    assert "error" not in r.stderr.lower(), r.stderr
    assert "rotating pattern: /var/log/cta-ops/*.log" in r.stderr
    assert "weekly (8 rotations)" in r.stderr


def test_rotation_under_an_open_handler_keeps_every_line(tmp_path: Path) -> None:
    """The tool's handler stays open across the rotation (a native verification runs for hours)."""
    log_dir = tmp_path / "cta-ops"
    log_dir.mkdir()
    rules = tmp_path / "rules"
    rules.write_text(RULES.read_text().replace("/var/log/cta-ops", str(log_dir)))
    path = log_dir / "cta-ops-verify-tape.log"
    handler = RotatingFileHandler(path, maxBytes=1 << 30, backupCount=5, encoding="utf-8")
    handler.setFormatter(LineFormatter())
    log = logging.getLogger("test-logrotate")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        for i in range(50):
            log.info("before rotation %d", i)
        inode = path.stat().st_ino
        r = subprocess.run(
            [str(LOGROTATE), "-f", "-s", str(tmp_path / "state"), str(rules)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, r.stderr
        log.info("after rotation")
    finally:
        handler.close()
    rotated = [p for p in log_dir.iterdir() if p.name.startswith("cta-ops-verify-tape.log-")]
    assert len(rotated) == 1, list(log_dir.iterdir())  # dateext: never the handler's own .1
    assert rotated[0].read_text().count("before rotation") == 50
    assert path.stat().st_ino == inode  # truncated in place, not renamed from under the handler
    data = path.read_bytes()
    assert b"\0" not in data  # O_APPEND: the next line starts at the new end, no hole
    assert data.decode().splitlines()[-1].endswith("after rotation")
    assert len(data.decode().splitlines()) == 1
